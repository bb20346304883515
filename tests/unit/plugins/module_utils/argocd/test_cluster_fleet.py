"""argocd_cluster with `spokes`: one spoke's entry validates against the module's own options (the run-once
layer is tested in fleet/test_two_cluster_fleet.py, the registrations against the local fleet)."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_fleet import Registrations
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.host_module import HostOptionsError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import host_options


class FakeAnsibleModule:
    def __init__(self):
        self.no_log_values = set()


class FakeModule:
    """What host_options reads of an AnsibleK8SModule."""

    def __init__(self, **params):
        self.params = dict({"spokes": {}, "concurrency": 4, "hub": {"context": "hub"}, "name": None,
                            "labels": {}, "rbac": "full", "state": "present"}, **params)
        self._module = FakeAnsibleModule()


def test_a_spoke_takes_the_tasks_rbac_and_hub():
    options, _hidden = host_options(FakeModule(rbac="gitops"), Registrations(), "spoke-1", {"labels": {"env": "prod"}})
    assert options["rbac"] == "gitops" and options["hub"]["context"] == "hub" and options["name"] == "spoke-1"


@pytest.mark.parametrize("entry,message", [
    ({"rbac": "custom"}, "spokes.spoke-1: .*rules"),
    ({"rbac": "admin"}, "spokes.spoke-1: .*rbac"),
    ({"hub": None}, "spokes.spoke-1: .*hub"),
])
def test_a_spoke_entry_that_does_not_validate_names_its_host(entry, message):
    with pytest.raises(HostOptionsError, match=message):
        host_options(FakeModule(), Registrations(), "spoke-1", entry)
