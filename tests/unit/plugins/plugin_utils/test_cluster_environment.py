"""A run-once task hands its module every host's kubeconfig through a private file, never through its options."""

import os
import stat

import pytest

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.fleet_action import play_kubeconfigs
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import VARIABLE, handed_over
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster_environment import (
    fleet_environment,
    host_connection,
)

KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: one
clusters: [{name: c1, cluster: {server: "https://127.0.0.1:6443", certificate-authority: ca.crt}}]
users: [{name: u1, user: {token: secret-token}}]
contexts: [{name: one, context: {cluster: c1, user: u1}}, {name: two, context: {cluster: missing, user: u1}}]
"""


def test_the_module_reads_what_the_action_plugin_wrote_and_the_file_goes_away(tmp_path):
    environ = {}
    with fleet_environment({"spoke-1": {"kind": "Config"}}, {"spoke-2": "no connection"}, tmpdir=str(tmp_path),
                           environ=environ):
        path = environ[VARIABLE]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert handed_over(environ) == ({"spoke-1": {"kind": "Config"}}, {"spoke-2": "no connection"})
    assert VARIABLE not in environ and not os.path.exists(path)
    assert handed_over(environ) is None


def test_host_connection_reads_the_variables_the_connection_plugin_reads():
    assert host_connection({"hubspoke_connection": {"host": "https://h"}}) == {"host": "https://h"}
    assert host_connection({"hubspoke_kubeconfig": "/k", "hubspoke_context": "c"}) == {"kubeconfig": "/k", "context": "c"}
    assert host_connection({}) == {}


def test_each_host_is_made_a_standalone_kubeconfig_and_a_bad_one_is_reported_alone(tmp_path):
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    hostvars = {
        "good": {"hubspoke_connection": {"kubeconfig": str(path), "context": "one"}},
        "bad-context": {"hubspoke_connection": {"kubeconfig": str(path), "context": "two"}},
        "no-file": {"hubspoke_connection": {"kubeconfig": str(tmp_path / "absent"), "context": "one"}},
        "not-a-cluster": {"ansible_connection": "local"},
    }
    kubeconfigs, problems = play_kubeconfigs(list(hostvars) + ["ghost"], hostvars)
    assert list(kubeconfigs) == ["good"]
    document = kubeconfigs["good"]
    assert document["current-context"] == "one"
    assert document["clusters"][0]["cluster"]["certificate-authority"] == str(tmp_path / "ca.crt")
    assert "context 'two' names cluster 'missing'" in problems["bad-context"]
    assert "absent" in problems["no-file"]
    assert "has no hubspoke_connection" in problems["not-a-cluster"]
    assert problems["ghost"] == "ghost is not an inventory host"


@pytest.mark.parametrize("connection", [["not", "a", "dict"], {"server": "https://h"}])
def test_a_malformed_connection_is_reported_with_its_host(connection):
    _kubeconfigs, problems = play_kubeconfigs(["h"], {"h": {"hubspoke_connection": connection}})
    assert problems["h"].startswith("hubspoke_connection of h: ")
