"""cluster_status run once probes every host of the play against the fleet's real API servers, and says for each
what the same task per host says."""

from helpers import INVENTORY, ROOT, kube_system_uid, run_playbook

PLAYBOOK = ROOT / "tests/integration/playbooks/fleet_status.yml"


def _broken_hosts(tmp_path):
    """spoke-2 pointed at a port nothing listens on, and a host whose connection names an unknown option."""
    extra = tmp_path / "broken.yml"
    extra.write_text("all:\n  hosts:\n"
                     "    spoke-2:\n      hubspoke_connection: {host: 'https://127.0.0.1:1', api_key: x, validate_certs: false}\n"
                     "    malformed:\n      hubspoke_connection: {server: 'https://127.0.0.1:1'}\n"
                     "      ansible_connection: hubspoke.multicluster.cluster\n")
    return extra


def test_run_once_gives_every_host_what_its_own_probe_gives(local_fleet):
    run = run_playbook(PLAYBOOK, INVENTORY, env={"K8S_AUTH_HOST": "https://127.0.0.1:1", "K8S_AUTH_API_KEY": "x"})
    assert run.rc == 0, run.stdout
    fleet = run.results("Probe every cluster of the play at once")
    clusters = next(iter(fleet.values()))["clusters"]
    assert set(clusters) == {local_fleet.hub, *local_fleet.spokes}
    assert next(iter(fleet.values()))["unreachable_clusters"] == []
    for name, status in clusters.items():  # each cluster answered itself, not the K8S_AUTH_* of the environment
        assert status["ready"] and status["cluster_id"] == kube_system_uid(local_fleet.kubeconfig, name)
    agree = run.results("Compare a host's two results")
    assert all(result["ansible_facts"]["agree"] for result in agree.values()), agree


def test_a_cluster_that_does_not_answer_and_a_bad_connection_are_reported_alone(local_fleet, tmp_path):
    run = run_playbook(PLAYBOOK, [INVENTORY, _broken_hosts(tmp_path)], extra_vars={"target": "all:!localhost"})
    fleet = next(iter(run.results("Probe every cluster of the play at once").values()))
    assert fleet["unreachable_clusters"] == ["malformed", "spoke-2"]
    assert "127.0.0.1:1" in fleet["clusters"]["spoke-2"]["msg"]
    assert "unknown connection option(s) server" in fleet["clusters"]["malformed"]["msg"]
    assert fleet["clusters"][local_fleet.hub]["ready"] and fleet["clusters"]["spoke-1"]["ready"]
    assert not fleet.get("failed")
    # The run-once task failed nobody and left nobody unreachable: only the malformed host's own probe (per
    # host, through the cluster connection) does; the host the task ran on goes on with the play.
    assert {host for host, stats in run.stats.items() if stats.get("unreachable") or stats.get("failures")} == \
        {"malformed"}
    assert local_fleet.hub in run.results("Compare a host's two results")


def test_limit_and_fail_on_unreachable(local_fleet, tmp_path):
    limited = run_playbook(PLAYBOOK, INVENTORY, limit="spoke-1")
    assert list(next(iter(limited.results("Probe every cluster of the play at once").values()))["clusters"]) == ["spoke-1"]
    failing = run_playbook(PLAYBOOK, [INVENTORY, _broken_hosts(tmp_path)], limit="spoke-1,spoke-2",
                           extra_vars={"fail_on_unreachable": True})
    result = next(iter(failing.results("Probe every cluster of the play at once").values()))
    assert failing.rc != 0 and result["failed"] and "spoke-2" in result["msg"] and "spoke-1" not in result["msg"]
