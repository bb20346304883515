"""The spoke's TLS settings as the module hands them to Argo CD."""

from kubernetes.client import Configuration

from ansible_collections.hubspoke.multicluster.plugins.modules.argocd_cluster import tls_config_of


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
