"""karmada_member with `members`: each member's options and failures are its own (the joins themselves are
integration-tested against the local fleet's Karmada)."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.host_module import HostOptionsError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import host_options
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.member_fleet import Joins, join_fleet


class FakeAnsibleModule:
    def __init__(self):
        self.no_log_values = set()


class FakeModule:
    """What join_fleet reads of an AnsibleK8SModule."""

    def __init__(self, members, **params):
        self.params = dict({"members": members, "concurrency": 4, "control_plane": None, "name": None,
                            "labels": {}, "sync_mode": "Push", "state": "present"}, **params)
        self.check_mode = False
        self._diff = False
        self.server_side_dry_run = False
        self._module = FakeAnsibleModule()


def test_an_entry_is_the_tasks_options_with_its_own_over_them_and_the_host_as_name():
    module = FakeModule({}, labels={"tier": "gold"}, sync_mode="Pull", control_plane={"context": "karmada"})
    options, _hidden = host_options(module, Joins(), "spoke-1", {"labels": {"env": "prod"}, "wait_ready": True})
    assert options["name"] == "spoke-1" and options["labels"] == {"env": "prod"} and options["sync_mode"] == "Pull"
    assert options["control_plane"]["context"] == "karmada" and options["wait_ready"] is True
    assert options["ready_timeout"] == 120 and options["cluster_namespace"] == "karmada-cluster"


@pytest.mark.parametrize("entry,message", [
    ("spoke-1", "members.spoke-1 must be a dict of the module's options, got str"),
    ({"sync_mode": "pull"}, "members.spoke-1: .*sync_mode"),
    ({"zones": "a"}, None),  # a string is a list of one, as Ansible converts it
    ({"control_plane": None}, "members.spoke-1: .*control_plane"),
])
def test_an_entry_that_does_not_validate_names_its_host(entry, message):
    module = FakeModule({}, control_plane={"context": "karmada"})
    if message is None:
        assert host_options(module, Joins(), "spoke-1", entry)[0]["zones"] == ["a"]
        return
    with pytest.raises(HostOptionsError, match=message):
        host_options(module, Joins(), "spoke-1", entry)


def test_karmadas_key_is_hidden_in_the_result():
    module = FakeModule({}, control_plane={"host": "https://karmada:5443", "api_key": "k4rmada-token"})
    _options, hidden = host_options(module, Joins(), "spoke-1", {})
    assert "k4rmada-token" in hidden


def test_each_failure_is_its_hosts_alone(monkeypatch):
    monkeypatch.delenv("HUBSPOKE_HUB_HOST", raising=False)
    monkeypatch.delenv("HUBSPOKE_HUB_KUBECONFIG", raising=False)
    module = FakeModule({"no-connection": {}, "bad-entry": {"state": "gone"}, "no-plane": {"control_plane": {}},
                         "bad-plane": {"control_plane": {"kubeconfig": "/nonexistent/karmada.config"}}})
    result = join_fleet(module, {"bad-entry": {}, "no-plane": {}, "bad-plane": {}},
                        {"no-connection": "host no-connection has no hubspoke_connection"})
    clusters = result["clusters"]
    assert result["changed"] is False and set(clusters) == {"no-connection", "bad-entry", "no-plane", "bad-plane"}
    assert all(r["failed"] and not r["changed"] for r in clusters.values())
    assert clusters["no-connection"]["msg"] == "host no-connection has no hubspoke_connection"
    assert "state" in clusters["bad-entry"]["msg"]
    assert clusters["no-plane"]["msg"].startswith(
        "the Karmada control plane states no connection: give the member a `control_plane`")
    assert "Karmada control plane" in clusters["bad-plane"]["msg"]
