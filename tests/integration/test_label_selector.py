"""The select filter's LabelSelector evaluation agrees with kube-apiserver's own.

Objects with the label sets of a small fleet are created on the hub; for each selector, the set the
API server returns for labelSelector=<string form> must equal the set the filter picks.
"""

import itertools

import pytest
from kubernetes import client

from helpers import delete_namespace, fleet_api
from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import (
    matches,
    normalize,
    to_query,
)

NAMESPACE = "selector-check"
ENVIRONMENTS = ("production", "staging", None)
REGIONS = ("cn-hangzhou", "cn-shanghai", None)
TEAMS = ("payments", None)
LABEL_SETS = {
    "c{0}".format(i): {k: v for k, v in (("environment", e), ("region", r), ("team", t)) if v}
    for i, (e, r, t) in enumerate(itertools.product(ENVIRONMENTS, REGIONS, TEAMS))
}
SELECTORS = [
    {},
    {"matchLabels": {"environment": "production"}},
    [{"key": "region", "operator": "In", "values": ["cn-hangzhou", "cn-shanghai"]}],
    [{"key": "region", "operator": "NotIn", "values": ["cn-hangzhou"]}],
    [{"key": "team", "operator": "Exists"}],
    [{"key": "team", "operator": "DoesNotExist"}],
    {"matchLabels": {"environment": "staging"},
     "matchExpressions": [{"key": "region", "operator": "NotIn", "values": ["cn-shanghai"]},
                          {"key": "team", "operator": "DoesNotExist"}]},
    [{"key": "environment", "operator": "In", "values": ["production"]},
     {"key": "environment", "operator": "NotIn", "values": ["production"]}],
]


@pytest.fixture(scope="module")
def labelled_objects(local_fleet):
    core = client.CoreV1Api(fleet_api(local_fleet.kubeconfig, local_fleet.hub))
    core.create_namespace({"metadata": {"name": NAMESPACE}})
    for name, labels in LABEL_SETS.items():
        core.create_namespaced_config_map(NAMESPACE, {"metadata": {"name": name, "labels": {**labels, "set": "x"}}})
    yield core
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, NAMESPACE)


@pytest.mark.parametrize("selector", SELECTORS, ids=[str(i) for i in range(len(SELECTORS))])
def test_filter_agrees_with_the_api_server(labelled_objects, selector):
    normalized = normalize(selector)
    query = ",".join(t for t in ("set=x", to_query(normalized)) if t)
    served = {cm.metadata.name for cm in labelled_objects.list_namespaced_config_map(
        NAMESPACE, label_selector=query).items}
    assert served == {name for name, labels in LABEL_SETS.items() if matches(normalized, labels)}
