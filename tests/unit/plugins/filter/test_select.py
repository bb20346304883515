import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.select import select

HOSTVARS = {
    "prod-hz": {"hubspoke_labels": {"environment": "production", "region": "cn-hangzhou"}},
    "prod-sh": {"hubspoke_labels": {"environment": "production", "region": "cn-shanghai"}},
    "staging": {"hubspoke_labels": {"environment": "staging"}},
    "unlabelled": {},
}


def test_select_keeps_input_order():
    hosts = ["staging", "prod-sh", "prod-hz", "unlabelled"]
    assert select(hosts, {"matchLabels": {"environment": "production"}}, HOSTVARS) == ["prod-sh", "prod-hz"]
    assert select(hosts, [{"key": "region", "operator": "DoesNotExist"}], HOSTVARS) == ["staging", "unlabelled"]


def test_bad_selector_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="hubspoke.multicluster.select: matchExpressions"):
        select(["prod-hz"], [{"key": "region", "operator": "In"}], HOSTVARS)
