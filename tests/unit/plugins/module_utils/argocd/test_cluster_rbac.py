"""What a spoke grants Argo CD, preset by preset (the grants themselves are integration-tested)."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster import token_secret, token_secret_name
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_rbac import (
    FULL_ACCESS,
    GITOPS,
    READ_ONLY,
    spoke_objects,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError

PARAMS = {"name": "prod-hz", "namespaces": [], "rbac": "full", "rules": None, "service_account": "argocd-manager",
          "system_namespace": "kube-system"}


def test_cluster_wide_objects_match_argocd_cluster_add():
    objects = spoke_objects(PARAMS) + [token_secret(PARAMS, token_secret_name(PARAMS))]
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("ServiceAccount", "argocd-manager"), ("ClusterRole", "argocd-manager-role"),
        ("ClusterRoleBinding", "argocd-manager-role-binding"), ("Secret", "argocd-manager-long-lived-token")]
    assert objects[1]["rules"] == FULL_ACCESS
    assert objects[3]["type"] == "kubernetes.io/service-account-token"
    assert objects[3]["metadata"]["annotations"] == {"kubernetes.io/service-account.name": "argocd-manager"}


def test_namespaced_read_only_objects():
    objects = spoke_objects(dict(PARAMS, namespaces=["a", "b"], rbac="read-only"))
    roles = [o for o in objects if o["kind"] == "Role"]
    assert [r["metadata"]["namespace"] for r in roles] == ["a", "b"]
    assert roles[0]["rules"] == [r for r in READ_ONLY if "nonResourceURLs" not in r]
    assert not [o for o in objects if o["kind"].startswith("Cluster")]


def test_custom_rbac_needs_rules():
    with pytest.raises(ClusterError, match="rbac=custom needs `rules`"):
        spoke_objects(dict(PARAMS, rbac="custom"))


def test_gitops_preset_reads_everything_and_writes_only_application_kinds():
    writes = [rule for rule in GITOPS if set(rule["verbs"]) - {"get", "list", "watch"}]
    assert READ_ONLY[0] in GITOPS
    assert all("*" not in rule["resources"] and "*" not in rule.get("apiGroups", []) for rule in writes)
    granted = {(group, resource) for rule in writes for group in rule["apiGroups"] for resource in rule["resources"]}
    assert ("apps", "deployments") in granted and ("", "namespaces") in granted
    for dangerous in [("rbac.authorization.k8s.io", "clusterroles"), ("rbac.authorization.k8s.io", "roles"),
                      ("apiextensions.k8s.io", "customresourcedefinitions"), ("", "nodes"),
                      ("admissionregistration.k8s.io", "validatingwebhookconfigurations")]:
        assert dangerous not in granted
    role = spoke_objects(dict(PARAMS, rbac="gitops"))[1]
    assert role["kind"] == "ClusterRole" and role["rules"] == GITOPS
