"""karmada_member with `members`: one member's entry validates against the module's own options (the run-once
layer is tested in fleet/test_two_cluster_fleet.py, the joins against the local fleet's Karmada)."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.host_module import HostOptionsError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import host_options
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.member_fleet import Joins


class FakeAnsibleModule:
    def __init__(self):
        self.no_log_values = set()


class FakeModule:
    """What host_options reads of an AnsibleK8SModule."""

    def __init__(self, **params):
        self.params = dict({"members": {}, "concurrency": 4, "control_plane": {"context": "karmada"}, "name": None,
                            "labels": {}, "sync_mode": "Push", "state": "present"}, **params)
        self._module = FakeAnsibleModule()


def test_a_member_takes_the_tasks_options_and_the_join_defaults():
    options, _hidden = host_options(FakeModule(sync_mode="Pull"), Joins(), "spoke-1", {"wait_ready": True})
    assert options["sync_mode"] == "Pull" and options["control_plane"]["context"] == "karmada"
    assert options["wait_ready"] is True and options["ready_timeout"] == 120
    assert options["cluster_namespace"] == "karmada-cluster"


@pytest.mark.parametrize("entry,message", [
    ({"sync_mode": "pull"}, "members.spoke-1: .*sync_mode"),
    ({"zones": "a"}, None),  # a string is a list of one, as Ansible converts it
    ({"control_plane": None}, "members.spoke-1: .*control_plane"),
])
def test_a_member_entry_that_does_not_validate_names_its_host(entry, message):
    if message is None:
        assert host_options(FakeModule(), Joins(), "spoke-1", entry)[0]["zones"] == ["a"]
        return
    with pytest.raises(HostOptionsError, match=message):
        host_options(FakeModule(), Joins(), "spoke-1", entry)
