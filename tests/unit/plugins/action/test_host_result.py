"""hubspoke.multicluster.host_result: a run-once result's entry for the host becomes the host's own result."""

from unittest.mock import MagicMock

import pytest

from ansible_collections.hubspoke.multicluster.plugins.action.host_result import ActionModule


def run(registered, host="spoke-1"):
    task = MagicMock(args={"result": registered}, async_val=0, check_mode=False, diff=False)
    action = ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={"inventory_hostname": host})


def test_the_hosts_entry_is_its_result():
    registered = {"changed": False, "clusters": {
        "spoke-1": {"changed": True, "server": "https://a", "diff": {"before": {}, "after": {"x": 1}},
                    "warnings": ["w"]},
        "spoke-2": {"changed": False, "failed": True, "msg": "the spoke did not answer"}}}
    own = run(registered)
    assert own["changed"] is True and own["server"] == "https://a" and own["diff"]["after"] == {"x": 1}
    assert own["warnings"] == ["w"] and not own.get("failed")
    other = run(registered, "spoke-2")
    assert other["failed"] is True and other["msg"] == "the spoke did not answer" and other["changed"] is False


@pytest.mark.parametrize("registered,message", [
    ({"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}, "was skipped"),
    ({"changed": False, "clusters": {"spoke-2": {"changed": False}}}, "did not work on spoke-1"),
])
def test_a_host_without_an_entry_fails_saying_why(registered, message):
    own = run(registered)
    assert own["failed"] is True and message in own["msg"]
