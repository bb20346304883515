"""Hubs reached through K8S_AUTH_* exactly as kubernetes.core modules read them (what AWX injects)."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import kube


@pytest.fixture(name="clean_env")
def fixture_clean_env(monkeypatch):
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG", "K8S_AUTH_CONTEXT", "K8S_AUTH_HOST", "K8S_AUTH_API_KEY",
                 "K8S_AUTH_CA_CERT", "K8S_AUTH_SSL_CA_CERT", "K8S_AUTH_VALIDATE_CERTS", "K8S_AUTH_VERIFY_SSL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("ca_var,verify_var", [("K8S_AUTH_CA_CERT", "K8S_AUTH_VALIDATE_CERTS"),
                                               ("K8S_AUTH_SSL_CA_CERT", "K8S_AUTH_VERIFY_SSL")])
def test_hub_from_environment(clean_env, tmp_path, ca_var, verify_var):
    ca = tmp_path / "ca.crt"
    ca.write_text("not checked here")
    clean_env.setenv("K8S_AUTH_HOST", "https://hub.example.com:6443/")
    clean_env.setenv("K8S_AUTH_API_KEY", "t0k")
    clean_env.setenv(ca_var, str(ca))
    clean_env.setenv(verify_var, "false")
    configuration = kube.client_for().configuration
    assert configuration.host == "https://hub.example.com:6443"
    assert configuration.api_key == {"authorization": "Bearer t0k"}
    assert configuration.ssl_ca_cert == str(ca)
    assert configuration.verify_ssl is False


def test_missing_kubeconfig_is_named(clean_env, tmp_path):
    with pytest.raises(kube.ClusterInventoryError, match="hub kubeconfig .*/nope does not exist"):
        kube.client_for({"kubeconfig": str(tmp_path / "nope"), "context": "hub"})
