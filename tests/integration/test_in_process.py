"""A cluster host's modules run in a fork of the playbook run's module server (plugin_utils/module_server.py): the
same results as in a new interpreter, task by task, for kubernetes.core's modules and this collection's, in every
way a task ends."""

import json
import time

from helpers import INVENTORY, ROOT, run_playbook

PLAYBOOK = ROOT / "tests/integration/playbooks/in_process.yml"
# What differs from one run to the next whichever way a module runs. managedFields go too: the API server stamps
# them to the second, so a dry-run diff shows them only when the second changed since the object was written.
VOLATILE = {"time", "resourceVersion", "creationTimestamp", "uid", "duration", "start", "end", "delta",
            "lastTransitionTime", "lastHeartbeatTime", "managedFields"}


def stable(value):
    """`value` without the VOLATILE keys, nor the mappings that held nothing else."""
    if isinstance(value, dict):
        kept = {key: stable(item) for key, item in value.items() if key not in VOLATILE}
        return {key: item for key, item in kept.items() if item != {} or value[key] == {}}
    if isinstance(value, list):
        return [stable(item) for item in value]
    return value


def results(run):
    return [(task["task"]["name"], json.dumps(stable(task["hosts"]), sort_keys=True))
            for play in run.plays for task in play["tasks"]]


def test_a_fork_of_the_module_server_gives_what_a_new_interpreter_gives(local_fleet):
    forked = run_playbook(PLAYBOOK, INVENTORY, verbosity=3)
    spawned = run_playbook(PLAYBOOK, INVENTORY, verbosity=3, env={"HUBSPOKE_IN_PROCESS": "0"})
    assert forked.rc == spawned.rc == 0, forked.stdout
    assert forked.stats == spawned.stats
    assert results(forked) == results(spawned)
    assert "in-process-secret-value" not in forked.stdout + forked.stderr
    assert forked.stdout.count("EXEC (in a fork of the module server)") >= 8
    assert "Warn about a patch of nothing" in forked.stdout and "was not found" in forked.stdout


def test_a_task_timeout_stops_the_module_and_the_other_hosts_go_on(local_fleet, tmp_path):
    """A server that accepts and never answers, with the task's `timeout`: the fork is killed with the task."""
    import socket  # pylint: disable=import-outside-toplevel

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    extra = tmp_path / "silent.yml"
    extra.write_text("all:\n  hosts:\n    spoke-2:\n      hubspoke_connection: {host: 'https://127.0.0.1:%d', "
                     "api_key: x, validate_certs: false}\n" % port)
    playbook = tmp_path / "timeout.yml"
    # The first task readies the module server and the payload, whose first start on a loaded machine can take
    # longer than the timeout; the timeout is the second task's, the module's own time.
    playbook.write_text("- hosts: spoke-1,spoke-2\n  gather_facts: false\n  tasks:\n"
                        "    - kubernetes.core.k8s_info: {kind: Namespace, name: default}\n      when: inventory_hostname == 'spoke-1'\n"
                        "    - kubernetes.core.k8s_info: {kind: Namespace, name: default}\n      timeout: 3\n")
    started = time.monotonic()
    run = run_playbook(playbook, [INVENTORY, extra])
    assert time.monotonic() - started < 30
    assert run.stats["spoke-2"]["failures"] == 1 and run.stats["spoke-1"]["failures"] == 0
    silent.close()
