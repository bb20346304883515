"""The CIDR-overlap preflight against clusters whose ranges really overlap: a second local fleet, started in
its own folder and port range, whose spoke-2 was created with spoke-1's pod and service ranges."""

import os
import subprocess
import sys
import time

import pytest
import yaml
from kubernetes import client

import upstream
from helpers import INVENTORY, ROOT, fleet_api, run_playbook

PREFLIGHT = ROOT / "playbooks/network_preflight.yml"
SUBMARINER = ROOT / "playbooks/submariner.yml"
TASK = "Refuse ranges that overlap another cluster's"


def test_distinct_ranges_pass_and_are_read_from_the_cluster(local_fleet):
    run = run_playbook(PREFLIGHT, INVENTORY)
    assert run.rc == 0 and run.changed == 0, run.stdout
    networks = run.results("Read the cluster's pod and service ranges")
    spoke1 = networks["spoke-1"]
    assert spoke1["service_cidrs"] == ["10.97.0.0/16"] and spoke1["sources"]["service"] == "servicecidrs"
    assert spoke1["sources"]["pod"] == "nodes"  # node IPAM's /24s, collapsed
    assert all(cidr.startswith("10.161.") for cidr in spoke1["pod_cidrs"])


@pytest.fixture(name="overlapping_fleet", scope="module")
def fixture_overlapping_fleet(local_fleet, tmp_path_factory):
    """Hub + 2 spokes with spoke-2 on spoke-1's ranges; one node each, ports 20000+, stopped afterwards."""
    folder = tmp_path_factory.mktemp("overlap")
    env = {**os.environ, "FLEET_DIR": str(folder), "FLEET_PORT_BASE": "20000", "FLEET_NODES": "1"}
    fleet = [sys.executable, "-m", "localfleet"]
    subprocess.run([*fleet, "up", "--spokes", "2", "--overlap", "spoke-1,spoke-2"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    # Node IPAM hands out podCIDRs a moment after the nodes register.
    for spoke in ("spoke-1", "spoke-2"):
        core = client.CoreV1Api(fleet_api(folder / "kubeconfig", spoke))
        deadline = time.monotonic() + 60
        while not all(n.spec.pod_cidrs for n in core.list_node().items) and time.monotonic() < deadline:
            time.sleep(0.5)
    inventory = folder / "overlap.clusters.yml"
    inventory.write_text(yaml.safe_dump({
        "plugin": "hubspoke.multicluster.clusters",
        "sources": [{"type": "kubeconfig", "name": "overlap", "path": str(folder / "kubeconfig"),
                     "labels": {"role": "spoke"}}]}))
    yield inventory
    subprocess.run([*fleet, "down"], env=env, cwd=ROOT, check=True, capture_output=True)


def test_overlapping_spokes_are_refused_naming_both_unless_globalnet(overlapping_fleet):
    run = run_playbook(PREFLIGHT, overlapping_fleet)
    assert run.rc != 0 and run.changed == 0
    assert run.stats["spoke-1"]["failures"] == 1 and run.stats["spoke-2"]["failures"] == 1
    assert run.stats["hub"]["failures"] == 0  # its ranges are its own: it goes on
    message = run.results(TASK)["spoke-2"]["msg"]
    assert "spoke-1 pod range 10.161.0.0/24 overlaps spoke-2 pod range 10.161.0.0/24" in message
    assert "spoke-1 service range 10.97.0.0/16 overlaps spoke-2 service range 10.97.0.0/16" in message

    allowed = run_playbook(PREFLIGHT, overlapping_fleet, {"network_preflight_globalnet": True})
    assert allowed.rc == 0, allowed.stdout

    # Ranges stated in the inventory win over what the cluster records (a migration in progress, say).
    stated = overlapping_fleet.with_name("stated.yml")
    stated.write_text(yaml.safe_dump({"all": {"hosts": {"spoke-2": {
        "hubspoke_pod_cidrs": ["10.200.0.0/16"], "hubspoke_service_cidrs": ["10.201.0.0/16"]}}}}))
    distinct = run_playbook(PREFLIGHT, [overlapping_fleet, stated])
    assert distinct.rc == 0, distinct.stdout
    assert distinct.results("Read the cluster's pod and service ranges")["spoke-2"]["sources"] == {
        "pod": "inventory", "service": "inventory"}


def test_a_limited_join_is_compared_with_the_members_already_joined(overlapping_fleet):
    """spoke-1 joins alone, then spoke-2 alone (each run --limit'ed to it): the second run sees spoke-1 only
    through what the broker recorded at its join, and refuses spoke-2 before anything changes."""
    folder = overlapping_fleet.parent
    inventory = folder / "roles.clusters.yml"
    inventory.write_text(yaml.safe_dump({
        "plugin": "hubspoke.multicluster.clusters",
        "sources": [{"type": "kubeconfig", "name": "overlap", "path": str(folder / "kubeconfig"),
                     "labels": {"role": "spoke"}, "context_labels": {"hub": {"role": "hub"}}}]}))
    crds = str(upstream.fetch("submariner-operator") / "crds")
    offline = {"submariner_broker_crds": crds, "submariner_join_crds": crds, "service_export_services": []}
    try:
        first = run_playbook(SUBMARINER, inventory, offline, limit="hub,spoke-1")
        assert first.rc == 0, first.stdout
        second = run_playbook(SUBMARINER, inventory, offline, limit="hub,spoke-2")
        assert second.rc != 0 and second.stats["spoke-2"]["failures"] == 1
        message = second.results(TASK)["spoke-2"]["msg"]
        assert "spoke-1 (joined) service range 10.97.0.0/16 overlaps spoke-2 service range 10.97.0.0/16" in message
        assert "spoke-1 (joined) pod range 10.161." in message
        spoke2 = client.CoreV1Api(fleet_api(folder / "kubeconfig", "spoke-2"))
        assert "submariner-operator" not in {n.metadata.name for n in spoke2.list_namespace().items}
        hub = client.CoreV1Api(fleet_api(folder / "kubeconfig", "hub"))
        assert "cluster-spoke-2" not in {a.metadata.name for a in hub.list_namespaced_service_account(
            "submariner-k8s-broker").items}
    finally:
        run_playbook(SUBMARINER, inventory, dict(offline, submariner_join_state="absent"))


@pytest.mark.parametrize("ranges, message", [
    ({"hubspoke_pod_cidrs": ["10.200.0.0/33"]}, "pod range '10.200.0.0/33' is not a CIDR"),
    ({"hubspoke_service_cidrs": ["ten.dot/16"]}, "service range 'ten.dot/16' is not a CIDR"),
])
def test_an_invalid_range_fails_that_cluster_naming_it(local_fleet, tmp_path, ranges, message):
    stated = tmp_path / "stated.yml"
    stated.write_text(yaml.safe_dump({"all": {"hosts": {"spoke-1": ranges}}}))
    run = run_playbook(PREFLIGHT, [INVENTORY, stated])
    assert run.stats["spoke-1"]["failures"] == 1 and run.stats["spoke-2"]["failures"] == 0
    assert message in run.results("Read the cluster's pod and service ranges")["spoke-1"]["msg"]
