"""argocd_cluster with `spokes`: each spoke's options and failures are its own (the registrations themselves are
integration-tested against the local fleet)."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_fleet import Registrations, register_fleet
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.host_module import HostOptionsError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import host_options


class FakeAnsibleModule:
    def __init__(self):
        self.no_log_values = set()


class FakeModule:
    """What register_fleet reads of an AnsibleK8SModule."""

    def __init__(self, spokes, **params):
        self.params = dict({"spokes": spokes, "concurrency": 4, "hub": None, "name": None, "labels": {},
                            "rbac": "full", "state": "present"}, **params)
        self.check_mode = False
        self._diff = False
        self.server_side_dry_run = False
        self._module = FakeAnsibleModule()


def test_an_entry_is_the_tasks_options_with_its_own_over_them_and_the_host_as_name():
    module = FakeModule({}, labels={"tier": "gold"}, rbac="gitops", hub={"context": "hub"})
    options, _hidden = host_options(module, Registrations(), "spoke-1", {"labels": {"env": "prod"}})
    assert options["name"] == "spoke-1" and options["labels"] == {"env": "prod"} and options["rbac"] == "gitops"
    assert options["hub"]["context"] == "hub"
    named, _hidden = host_options(module, Registrations(), "spoke-1", {"name": "prod-hz"})
    assert named["name"] == "prod-hz"


@pytest.mark.parametrize("entry,message", [
    (["labels"], "spokes.spoke-1 must be a dict of the module.s options, got list"),
    ({"lables": {}}, "spokes.spoke-1: .*lables"),
    ({"rbac": "custom"}, "spokes.spoke-1: .*rules"),
    ({"rbac": "admin"}, "spokes.spoke-1: .*rbac"),
    ({"hub": None}, "spokes.spoke-1: .*hub"),
])
def test_an_entry_that_does_not_validate_names_its_host(entry, message):
    module = FakeModule({}, hub={"context": "hub"})
    with pytest.raises(HostOptionsError, match=message):
        host_options(module, Registrations(), "spoke-1", entry)


def test_the_hubs_token_is_hidden_in_the_result():
    module = FakeModule({}, hub={"host": "https://hub:6443", "api_key": "s3cret-token"})
    _options, hidden = host_options(module, Registrations(), "spoke-1", {})
    assert "s3cret-token" in hidden


def test_each_failure_is_its_hosts_alone(monkeypatch):
    monkeypatch.delenv("HUBSPOKE_HUB_HOST", raising=False)
    monkeypatch.delenv("HUBSPOKE_HUB_KUBECONFIG", raising=False)
    module = FakeModule({"no-connection": {}, "bad-entry": {"rbac": "admin"}, "no-hub": {"hub": {}}})
    result = register_fleet(module, {"bad-entry": {}, "no-hub": {}},
                            {"no-connection": "host no-connection has no hubspoke_connection"})
    clusters = result["clusters"]
    assert result["changed"] is False and set(clusters) == {"no-connection", "bad-entry", "no-hub"}
    assert all(r["failed"] and not r["changed"] for r in clusters.values())
    assert clusters["no-connection"]["msg"] == "host no-connection has no hubspoke_connection"
    assert "rbac" in clusters["bad-entry"]["msg"]
    assert "the hub states no connection" in clusters["no-hub"]["msg"]
