"""A kubeconfig read from a hub Secret reaches a cluster and does nothing else on the controller."""

import base64
import json

import pytest
import yaml

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import credentials
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.credential_policy import trusted_kubeconfig


def kubeconfig(cluster=None, user=None):
    return {"clusters": [{"name": "c", "cluster": dict({"server": "https://x"}, **(cluster or {}))}],
            "users": [{"name": "u", "user": user or {"token": "t"}}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}], "current-context": "c"}


EXEC = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws", "args": ["eks"]}}


def test_server_ca_token_and_client_certificate_data_pass():
    doc = kubeconfig({"certificate-authority-data": "Q0E=", "tls-server-name": "api"},
                     {"client-certificate-data": "Y2VydA==", "client-key-data": "a2V5"})
    assert trusted_kubeconfig(doc, "Secret a/b") is doc


@pytest.mark.parametrize("cluster,user,field", [
    ({}, EXEC, "runs the command 'aws'"),
    ({}, {"auth-provider": {"name": "gcp"}}, "has auth-provider"),
    ({}, {"tokenFile": "/etc/shadow"}, "has tokenFile"),
    ({}, {"client-certificate": "/root/.ssh/id", "client-key": "/root/.ssh/id"}, "has client-certificate"),
    ({"certificate-authority": "/etc/passwd"}, {"token": "t"}, "has certificate-authority"),
])
def test_what_runs_or_reads_on_the_controller_is_refused(cluster, user, field):
    with pytest.raises(ClusterInventoryError, match="Secret argocd/x: .*" + field):
        trusted_kubeconfig(kubeconfig(cluster, user), "Secret argocd/x")


def test_exec_runs_only_a_command_the_inventory_names_exactly():
    assert trusted_kubeconfig(kubeconfig(user=EXEC), "s", allow_exec=["aws"])
    with pytest.raises(ClusterInventoryError, match="runs the command '/tmp/aws'"):
        trusted_kubeconfig(kubeconfig(user={"exec": dict(EXEC["exec"], command="/tmp/aws")}), "s", allow_exec=["aws"])


def b64(text):
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(name="hub_secret")
def fixture_hub_secret(monkeypatch):
    def use(data):
        monkeypatch.setattr(credentials, "_secret", lambda ref: {"metadata": {"name": ref["name"]}, "data": data})
    return use


def test_an_argocd_exec_provider_is_refused_unless_named(hub_secret):
    config = {"execProviderConfig": {"command": "touch", "args": ["/tmp/pwned"]}, "tlsClientConfig": {}}
    hub_secret({"name": b64("c"), "server": b64("https://x"), "config": b64(json.dumps(config))})
    ref = {"kind": "argocd", "namespace": "argocd", "name": "cluster-x"}
    with pytest.raises(ClusterInventoryError, match="Secret argocd/cluster-x on the hub: .*'touch'"):
        credentials.kubeconfig_for(ref)
    assert credentials.kubeconfig_for(dict(ref, allow_exec=["touch"]))["users"][0]["user"]["exec"]["command"] == "touch"


def test_argocd_aws_auth_is_the_aws_cli_behind_the_opt_in(hub_secret):
    config = {"awsAuthConfig": {"clusterName": "prod", "roleARN": "arn:aws:iam::1:role/r", "profile": "p"}}
    hub_secret({"name": b64("c"), "server": b64("https://eks"), "config": b64(json.dumps(config))})
    ref = {"kind": "argocd", "namespace": "argocd", "name": "cluster-eks"}
    with pytest.raises(ClusterInventoryError, match="'aws'"):
        credentials.kubeconfig_for(ref)
    user = credentials.kubeconfig_for(dict(ref, allow_exec=["aws"]))["users"][0]["user"]
    assert user["exec"]["args"] == ["eks", "get-token", "--cluster-name", "prod", "--role-arn", "arn:aws:iam::1:role/r"]
    assert user["exec"]["env"] == [{"name": "AWS_PROFILE", "value": "p"}]


def test_a_cluster_api_kubeconfig_with_exec_is_refused(hub_secret):
    hub_secret({"value": b64(yaml.safe_dump(kubeconfig(user=EXEC)))})
    with pytest.raises(ClusterInventoryError, match="capi-ns/spoke-kubeconfig on the hub: user 'u' runs the command"):
        credentials.kubeconfig_for({"kind": "capi", "namespace": "capi-ns", "name": "spoke-kubeconfig"})
