"""What argocd_cluster writes, object by object (the API round trips are integration-tested)."""

import base64
import json

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster import (
    FULL_ACCESS,
    READ_ONLY,
    RegistrationError,
    current_token_secret,
    parse_duration,
    spoke_objects,
    token_secret,
    token_secret_name,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import hub_secret, secret_name_for
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.objects import hide_secret_data

PARAMS = {"name": "prod-hz", "argocd_namespace": "argocd", "labels": {"environment": "production"},
          "annotations": {}, "namespaces": [], "cluster_resources": False, "project": None, "shard": None,
          "rbac": "full", "rules": None, "service_account": "argocd-manager", "system_namespace": "kube-system"}


@pytest.mark.parametrize("server,name", [
    # Expected values computed with Go's hash/fnv, as argo-cd's URIToSecretName does.
    ("https://127.0.0.1:16010", "cluster-127.0.0.1-1632348769"),
    ("https://K8s.Example.com:6443", "cluster-k8s.example.com-3091856226"),
    ("http://[fe80::1ff:fe23:4567:890a]:8000", "cluster-fe80--1ff-fe23-4567-890a-664858999"),
])
def test_secret_name_matches_argocd(server, name):
    assert secret_name_for(server) == name


def test_cluster_wide_objects_match_argocd_cluster_add():
    objects = spoke_objects(PARAMS) + [token_secret(PARAMS, token_secret_name(PARAMS))]
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("ServiceAccount", "argocd-manager"), ("ClusterRole", "argocd-manager-role"),
        ("ClusterRoleBinding", "argocd-manager-role-binding"), ("Secret", "argocd-manager-long-lived-token")]
    assert objects[1]["rules"] == FULL_ACCESS
    assert objects[3]["type"] == "kubernetes.io/service-account-token"
    assert objects[3]["metadata"]["annotations"] == {"kubernetes.io/service-account.name": "argocd-manager"}


@pytest.mark.parametrize("text,seconds", [("90d", 7776000), ("12h", 43200), ("30m", 1800), ("45s", 45),
                                          ("3600", 3600), (" 2 h ", 7200)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1w", "-5m", "soon", "1.5h"])
def test_parse_duration_rejects(text):
    with pytest.raises(RegistrationError, match="not a duration"):
        parse_duration(text)


def _token(name, token):
    return {"metadata": {"name": name}, "data": {"token": base64.b64encode(token.encode()).decode()}}


def test_current_token_is_the_one_the_hub_holds():
    canonical = "argocd-manager-long-lived-token"
    rotated = canonical + "-a1b2c3"
    secrets = [_token(canonical, "old"), _token(rotated, "new")]
    assert current_token_secret(secrets, "new", canonical)["metadata"]["name"] == rotated
    # A hub that holds none of them (first registration, or a restored hub): the canonical Secret.
    assert current_token_secret(secrets, "other", canonical)["metadata"]["name"] == canonical
    assert current_token_secret(secrets, None, canonical)["metadata"]["name"] == canonical
    assert current_token_secret([_token(rotated, "new")], None, canonical) is None


def test_namespaced_read_only_objects():
    objects = spoke_objects(dict(PARAMS, namespaces=["a", "b"], rbac="read-only"))
    roles = [o for o in objects if o["kind"] == "Role"]
    assert [r["metadata"]["namespace"] for r in roles] == ["a", "b"]
    assert roles[0]["rules"] == [r for r in READ_ONLY if "nonResourceURLs" not in r]
    assert not [o for o in objects if o["kind"].startswith("Cluster")]


def test_custom_rbac_needs_rules():
    with pytest.raises(RegistrationError, match="rbac=custom needs `rules`"):
        spoke_objects(dict(PARAMS, rbac="custom"))


def test_hub_secret_fields_and_label_removal():
    secret = hub_secret(dict(PARAMS, namespaces=["a"], cluster_resources=True, project="p", shard=2),
                        "https://10.0.0.1:6443", "t0k", {"caData": "Q0E=", "insecure": False}, existing_labels={"old": "x", "environment": "staging"})
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert data["name"] == "prod-hz" and data["server"] == "https://10.0.0.1:6443"
    assert data["namespaces"] == "a" and data["clusterResources"] == "true"
    assert data["project"] == "p" and data["shard"] == "2"
    expected_config = {"bearerToken": "t0k", "tlsClientConfig": {"caData": "Q0E=", "insecure": False}}
    assert json.loads(data["config"]) == expected_config
    assert secret["metadata"]["labels"] == {"old": None, "environment": "production",
                                            "argocd.argoproj.io/secret-type": "cluster"}
    assert secret["metadata"]["annotations"] == {"managed-by": "argocd.argoproj.io"}


def test_results_and_diffs_never_carry_the_token():
    result = {"result": {"data": {"config": "c2VjcmV0"}},
              "diff": {"before": {"data": {"config": "b2xk"}}, "after": {"data": {"config": "bmV3"}}}}
    masked = json.dumps(hide_secret_data(result))
    assert "c2VjcmV0" not in masked and "b2xk" not in masked and "bmV3" not in masked
