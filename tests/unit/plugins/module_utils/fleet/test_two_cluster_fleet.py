"""The run-once layer argocd_cluster (`spokes`) and karmada_member (`members`) share: each host's options are
the task's with its entry over them, and each host's failure is its own. Shown on a small FleetWork; what each
module's work does is tested with the local fleet."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import two_cluster_fleet
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.host_module import HostOptionsError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import (
    FleetWork,
    host_options,
    host_spec,
    run_fleet,
    run_module,
)

OPTIONS = dict(
    name=dict(type="str"),
    labels=dict(type="dict", default={}),
    mode=dict(type="str", choices=["copy", "move"], default="copy"),
    rules=dict(type="list", elements="dict"),
)


class Copies(FleetWork):
    hosts_option = "targets"
    second = "source"
    sides = ("target", "source cluster")
    spec = host_spec(OPTIONS, "source")
    required_if = [("mode", "move", ["rules"])]


class FakeAnsibleModule:
    def __init__(self):
        self.no_log_values = set()


class FakeModule:
    """What the fleet layer reads of an AnsibleK8SModule, and how it ends one."""

    def __init__(self, targets, **params):
        self.params = dict({"targets": targets, "concurrency": 4, "source": None, "name": None, "labels": {},
                            "mode": "copy"}, **params)
        self.check_mode = False
        self._diff = False
        self.server_side_dry_run = False
        self._module = FakeAnsibleModule()

    def fail_json(self, **result):
        raise SystemExit(result)

    exit_json = fail_json


def test_an_entry_is_the_tasks_options_with_its_own_over_them_and_the_host_as_name():
    module = FakeModule({}, labels={"tier": "gold"}, mode="move", rules=[{}], source={"context": "hub"})
    options, _hidden = host_options(module, Copies(), "spoke-1", {"labels": {"env": "prod"}})
    assert options["name"] == "spoke-1" and options["labels"] == {"env": "prod"} and options["mode"] == "move"
    assert options["source"]["context"] == "hub"
    named, _hidden = host_options(module, Copies(), "spoke-1", {"name": "prod-hz"})
    assert named["name"] == "prod-hz"


@pytest.mark.parametrize("entry,message", [
    (["labels"], "targets.spoke-1 must be a dict of the module's options, got list"),
    ({"lables": {}}, "targets.spoke-1: .*lables"),
    ({"mode": "move"}, "targets.spoke-1: .*rules"),
    ({"mode": "link"}, "targets.spoke-1: .*mode"),
    ({"source": None}, "targets.spoke-1: .*source"),
])
def test_an_entry_that_does_not_validate_names_its_host(entry, message):
    module = FakeModule({}, source={"context": "hub"})
    with pytest.raises(HostOptionsError, match=message):
        host_options(module, Copies(), "spoke-1", entry)


def test_the_second_clusters_token_is_hidden_in_the_result():
    module = FakeModule({}, source={"host": "https://hub:6443", "api_key": "s3cret-token"})
    _options, hidden = host_options(module, Copies(), "spoke-1", {})
    assert "s3cret-token" in hidden


def test_each_failure_is_its_hosts_alone(monkeypatch):
    monkeypatch.delenv("HUBSPOKE_HUB_HOST", raising=False)
    monkeypatch.delenv("HUBSPOKE_HUB_KUBECONFIG", raising=False)
    module = FakeModule({"no-connection": {}, "bad-entry": {"mode": "link"}, "no-source": {"source": {}},
                         "bad-source": {"source": {"kubeconfig": "/nonexistent/source.config"}}})
    result = run_fleet(module, Copies(), {"bad-entry": {}, "no-source": {}, "bad-source": {}},
                       {"no-connection": "host no-connection has no hubspoke_connection"})
    clusters = result["clusters"]
    assert result["changed"] is False and set(clusters) == {"no-connection", "bad-entry", "no-source", "bad-source"}
    assert all(r["failed"] and not r["changed"] for r in clusters.values())
    assert clusters["no-connection"]["msg"] == "host no-connection has no hubspoke_connection"
    assert "mode" in clusters["bad-entry"]["msg"]
    assert clusters["no-source"]["msg"].startswith(
        "the source cluster states no connection: give the target a `source`")
    assert "source cluster" in clusters["bad-source"]["msg"]


def test_hosts_without_run_once_are_refused(monkeypatch):
    monkeypatch.setattr(two_cluster_fleet, "handed_over", lambda: None)
    with pytest.raises(SystemExit) as ended:
        run_module(FakeModule({"spoke-1": {}}), Copies())
    assert ended.value.args[0] == {"msg": "targets works on several hosts in one task: add run_once: true"}
