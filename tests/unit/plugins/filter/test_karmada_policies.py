"""The policies the propagation_policy and override_policy filters build (the CRD schemas and Karmada's
scheduler accept them: integration test)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.override_policy import override_policy
from ansible_collections.hubspoke.multicluster.plugins.filter.propagation_policy import propagation_policy

GROUPS = {"all": ["hz-1", "hz-2", "sh-1"], "ungrouped": [], "region_cn_hangzhou": ["hz-1", "hz-2"],
          "region_cn_shanghai": ["sh-1"], "env_empty": []}
WEB = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}]


def test_weights_per_group_make_a_weighted_divided_policy():
    policy = propagation_policy({"name": "web", "namespace": "default", "resources": WEB,
                                 "placement": {"groups": ["region_cn_hangzhou", "region_cn_shanghai"]},
                                 "weights": {"region_cn_hangzhou": 2, "region_cn_shanghai": 1}}, GROUPS)
    assert policy["kind"] == "PropagationPolicy" and policy["metadata"] == {"name": "web", "namespace": "default"}
    placement = policy["spec"]["placement"]
    assert placement["clusterAffinity"] == {"clusterNames": ["hz-1", "hz-2", "sh-1"]}
    assert placement["replicaScheduling"] == {
        "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
        "weightPreference": {"staticWeightList": [
            {"targetCluster": {"clusterNames": ["hz-1", "hz-2"]}, "weight": 2},
            {"targetCluster": {"clusterNames": ["sh-1"]}, "weight": 1}]}}


def test_selector_duplicated_and_cluster_wide_without_namespace():
    policy = propagation_policy({"name": "crds", "resources": [{"apiVersion": "v1", "kind": "Namespace"}],
                                 "placement": {"selector": [{"key": "environment", "operator": "In",
                                                             "values": ["production"]}], "exclude": "sh-1"}}, GROUPS)
    assert policy["kind"] == "ClusterPropagationPolicy" and "namespace" not in policy["metadata"]
    assert policy["spec"]["placement"] == {
        "clusterAffinity": {"labelSelector": {"matchExpressions": [
            {"key": "environment", "operator": "In", "values": ["production"]}]}, "exclude": ["sh-1"]},
        "replicaScheduling": {"replicaSchedulingType": "Duplicated"}}


def test_divided_without_weights_follows_available_replicas():
    policy = propagation_policy({"name": "web", "namespace": "d", "resources": WEB, "scheduling": "Divided"}, GROUPS)
    assert policy["spec"]["placement"]["replicaScheduling"]["weightPreference"] == {"dynamicWeight": "AvailableReplicas"}


@pytest.mark.parametrize("policy, message", [
    ({"placement": {"groups": ["region_mars"]}}, "unknown inventory group 'region_mars'"),
    ({"placement": {"groups": ["env_empty"]}}, "group 'env_empty' has no hosts"),
    ({"weights": {"nowhere": 1}}, "weight 'nowhere' names no inventory group or cluster"),
    ({"weights": {"sh-1": 0}}, "must be a positive integer"),
    ({"weights": {"sh-1": 1}, "scheduling": "Duplicated"}, "scheduling must be Divided"),
    ({"placement": {"groups": ["region_cn_shanghai"]}, "weights": {"region_cn_hangzhou": 1}}, "outside the placement"),
    ({"placement": {"region": "x"}}, "unknown keys ['region']"),
    ({"placement": {"selector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}}}, "placement selector"),
    ({"resources": []}, "resources is empty"),
])
def test_bad_policies_name_the_policy_and_the_problem(policy, message):
    with pytest.raises(AnsibleFilterError, match="Karmada policy 'web'") as err:
        propagation_policy(dict({"name": "web", "namespace": "default", "resources": WEB}, **policy), GROUPS)
    assert message in str(err.value)


def test_override_rules_by_group_with_shorthands_and_raw_overriders():
    policy = override_policy({"name": "web-regions", "namespace": "default", "resources": WEB, "rules": [
        {"groups": ["region_cn_shanghai"], "image_registry": "registry.cn-shanghai.example.com", "replicas": 1},
        {"clusters": ["hz-1"], "overriders": {"labelsOverrider": [{"operator": "add", "value": {"tier": "gold"}}]}},
    ]}, GROUPS)
    assert policy["kind"] == "OverridePolicy"
    first, second = policy["spec"]["overrideRules"]
    assert first == {"targetCluster": {"clusterNames": ["sh-1"]}, "overriders": {
        "imageOverrider": [{"component": "Registry", "operator": "replace", "value": "registry.cn-shanghai.example.com"}],
        "plaintext": [{"path": "/spec/replicas", "operator": "replace", "value": 1}]}}
    assert second["targetCluster"] == {"clusterNames": ["hz-1"]}
    assert policy["spec"]["resourceSelectors"] == WEB


def test_override_rule_without_overriders_is_refused():
    with pytest.raises(AnsibleFilterError, match="has no overriders"):
        override_policy({"name": "x", "resources": WEB, "rules": [{"groups": ["region_cn_shanghai"]}]}, GROUPS)
