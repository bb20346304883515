"""The local fleet is real: API servers answer, controllers run, KWOK makes Pods Running."""

from helpers import ROOT, run_playbook

PLAYBOOK = ROOT / "tests/integration/playbooks/deployment.yml"


def site_statuses(run):
    """{host: its cluster_status}: site.yml's probe runs once for the play and registers every host's entry."""
    probe = run.results("Read version, readiness and node health of every cluster at once")
    return next(iter(probe.values()))["clusters"]


def test_every_cluster_answers_site_playbook(local_fleet, local_inventory):
    run = run_playbook(ROOT / "playbooks/site.yml", local_inventory)
    assert run.rc == 0, run.stdout
    statuses = site_statuses(run)
    assert set(statuses) == set(local_fleet.contexts)
    for host, status in statuses.items():
        assert status["reachable"] and status["ready"], (host, status)
        assert status["version"]["git_version"].startswith("v1."), status
        assert status["nodes"]["ready"] == status["nodes"]["total"] > 0, status
    assert run.changed == 0


def test_deployment_becomes_available_and_is_idempotent(local_fleet, local_inventory):
    first = run_playbook(PLAYBOOK, local_inventory, {"deployment_state": "present"})
    assert first.rc == 0 and first.changed == 1, first.stdout
    result = first.results("Deployment is present")[local_fleet.spokes[0]]
    assert result["result"]["status"]["availableReplicas"] == 2

    again = run_playbook(PLAYBOOK, local_inventory, {"deployment_state": "present"})
    assert again.rc == 0 and again.changed == 0, again.stdout

    removed = run_playbook(PLAYBOOK, local_inventory, {"deployment_state": "absent"})
    assert removed.rc == 0 and removed.changed == 1, removed.stdout
    gone = run_playbook(PLAYBOOK, local_inventory, {"deployment_state": "absent"})
    assert gone.rc == 0 and gone.changed == 0, gone.stdout


def test_a_stopped_cluster_is_reported_not_fatal(local_fleet, local_inventory):
    from localfleet import fleet  # pylint: disable=import-outside-toplevel

    victim = local_fleet.spokes[-1]
    fleet.stop(victim)
    try:
        run = run_playbook(ROOT / "playbooks/site.yml", local_inventory)
        # Only the plays tagged always: the probe, the summary, the failure.
        failing = run_playbook(ROOT / "playbooks/site.yml", local_inventory, {"site_fail_on_down": True},
                               tags="no_such_tag")
    finally:
        fleet.start(victim)
    assert run.rc == 0, run.stdout
    statuses = site_statuses(run)
    assert statuses[victim]["reachable"] is False
    assert "Connection refused" in statuses[victim]["msg"]
    assert all(statuses[h]["ready"] for h in local_fleet.contexts if h != victim)
    # Asked to, the run fails the stopped cluster alone, at the end.
    assert failing.rc != 0 and failing.stats[victim]["failures"] == 1, failing.stdout
    # (a cluster that ran no task of its own, the probe being run once, has no line in the recap)
    assert all(failing.stats.get(h, {}).get("failures", 0) == 0 for h in local_fleet.contexts if h != victim)
