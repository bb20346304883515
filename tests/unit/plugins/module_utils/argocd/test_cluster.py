"""What argocd_cluster writes, object by object (the API round trips are integration-tested)."""

import base64
import json

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster import (
    RegistrationError,
    parse_duration,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import hub_secret, secret_name_for
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.objects import public_view

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


@pytest.mark.parametrize("text,seconds", [("90d", 7776000), ("12h", 43200), ("30m", 1800), ("45s", 45),
                                          ("3600", 3600), (" 2 h ", 7200)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1w", "-5m", "soon", "1.5h"])
def test_parse_duration_rejects(text):
    with pytest.raises(RegistrationError, match="not a duration"):
        parse_duration(text)


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
    masked = json.dumps(public_view(result))
    assert "c2VjcmV0" not in masked and "b2xk" not in masked and "bmV3" not in masked
