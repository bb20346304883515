"""Argo CD cluster Secrets in both directions: parsed from the API, turned into a kubeconfig, and the spoke's TLS
settings as the module hands them to Argo CD."""

import base64
import json

from kubernetes.client import Configuration

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import (
    kubeconfig_from_config,
    parse_cluster_secret,
    tls_config_of,
)


def b64(text):
    return base64.b64encode(text.encode()).decode()


SECRET = {
    "metadata": {"name": "cluster-prod-hz-123", "labels": {"argocd.argoproj.io/secret-type": "cluster",
                                                           "environment": "production"},
                 "annotations": {"managed-by": "argocd.argoproj.io", "owner": "payments"}},
    "data": {"name": b64("prod-hz"), "server": b64("https://prod-hz:6443/"), "namespaces": b64("a,b"),
             "clusterResources": b64("true"), "project": b64("payments"), "shard": b64("1"),
             "config": b64(json.dumps({"bearerToken": "t0k",
                                       "tlsClientConfig": {"caData": "Q0E=", "serverName": "prod-hz"}}))},
}


def test_parse_cluster_secret():
    cluster = parse_cluster_secret(SECRET)
    assert cluster["name"] == "prod-hz" and cluster["server"] == "https://prod-hz:6443"
    assert cluster["labels"] == {"environment": "production"}
    assert cluster["annotations"] == {"owner": "payments"}
    assert cluster["namespaces"] == ["a", "b"] and cluster["cluster_resources"] is True
    assert cluster["project"] == "payments" and cluster["shard"] == "1"
    assert cluster["config"]["bearerToken"] == "t0k"


def test_name_defaults_to_server():
    secret = {"metadata": {"name": "s"}, "data": {"server": b64("https://x:6443")}}
    assert parse_cluster_secret(secret)["name"] == "https://x:6443"


def test_kubeconfig_from_config_keeps_tls_verification():
    config = kubeconfig_from_config("c", "https://prod-hz:6443", parse_cluster_secret(SECRET)["config"])
    cluster = config["clusters"][0]["cluster"]
    assert cluster == {"server": "https://prod-hz:6443", "certificate-authority-data": "Q0E=",
                       "tls-server-name": "prod-hz"}
    assert config["users"][0]["user"] == {"token": "t0k"}
    assert config["current-context"] == "c"


def test_kubeconfig_from_config_exec_and_insecure():
    config = kubeconfig_from_config("c", "https://x", {
        "tlsClientConfig": {"insecure": True},
        "execProviderConfig": {"command": "aws", "args": ["eks", "get-token"], "env": {"A": "1"},
                               "apiVersion": "client.authentication.k8s.io/v1beta1"}})
    assert config["clusters"][0]["cluster"]["insecure-skip-tls-verify"] is True
    assert config["users"][0]["user"]["exec"]["env"] == [{"name": "A", "value": "1"}]


def test_verified_connection_carries_ca_and_server_name(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_bytes(b"CA")
    configuration = Configuration(host="https://10.0.0.1:6443")
    configuration.ssl_ca_cert = str(ca)
    configuration.tls_server_name = "api.internal"
    assert tls_config_of(configuration) == {"insecure": False, "caData": "Q0E=", "serverName": "api.internal"}


def test_unverified_connection_is_insecure_without_ca():
    configuration = Configuration(host="https://10.0.0.1:6443")
    configuration.verify_ssl = False
    assert tls_config_of(configuration) == {"insecure": True}
