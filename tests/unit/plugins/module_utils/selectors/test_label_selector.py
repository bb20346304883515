"""LabelSelector semantics and validation, as apimachinery defines them."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import (
    LabelSelectorError,
    matches,
    normalize,
    to_query,
)

PROD_HZ = {"environment": "production", "region": "cn-hangzhou"}
STAGING = {"environment": "staging"}


@pytest.mark.parametrize("selector,labels,expected", [
    ({}, PROD_HZ, True),
    ({"matchLabels": {"environment": "production"}}, PROD_HZ, True),
    ({"matchLabels": {"environment": "production"}}, STAGING, False),
    ([{"key": "region", "operator": "In", "values": ["cn-hangzhou", "cn-shanghai"]}], PROD_HZ, True),
    ([{"key": "region", "operator": "In", "values": ["cn-hangzhou"]}], STAGING, False),
    ([{"key": "region", "operator": "NotIn", "values": ["cn-hangzhou"]}], PROD_HZ, False),
    ([{"key": "region", "operator": "NotIn", "values": ["cn-hangzhou"]}], STAGING, True),  # absent key matches
    ([{"key": "region", "operator": "Exists"}], STAGING, False),
    ([{"key": "region", "operator": "DoesNotExist"}], STAGING, True),
    ({"matchLabels": {"environment": "production"},
      "matchExpressions": [{"key": "region", "operator": "DoesNotExist"}]}, PROD_HZ, False),
])
def test_semantics(selector, labels, expected):
    assert matches(normalize(selector), labels) is expected


@pytest.mark.parametrize("selector,message", [
    ([{"key": "a", "operator": "Equals", "values": ["x"]}], "operator must be one of In, NotIn, Exists, DoesNotExist"),
    ([{"key": "a", "operator": "In"}], r"matchExpressions\[0\]: In needs at least one value"),
    ([{"key": "a", "operator": "Exists", "values": ["x"]}], "Exists takes no values"),
    ([{"key": "-bad", "operator": "Exists"}], "'-bad' is not a valid label key"),
    ({"matchLabels": {"a": "no spaces"}}, "'no spaces' is not a valid label value"),
    ({"matchlabels": {}}, "a label selector is a dict with matchLabels and/or matchExpressions"),
    ([{"operator": "Exists"}], "needs `key` and `operator`"),
])
def test_invalid_selectors_name_the_term(selector, message):
    with pytest.raises(LabelSelectorError, match=message):
        normalize(selector)


def test_query_string_form():
    selector = normalize({"matchLabels": {"environment": "production"}, "matchExpressions": [
        {"key": "region", "operator": "NotIn", "values": ["b", "a"]},
        {"key": "team", "operator": "Exists"}, {"key": "legacy", "operator": "DoesNotExist"}]})
    assert to_query(selector) == "environment=production,region notin (a,b),team,!legacy"
