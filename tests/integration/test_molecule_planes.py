"""The Molecule scenarios of the roles that need a plane of the local fleet: Karmada's processes for the
karmada_* scenarios, Gatekeeper's manager beside spoke-1 for the gatekeeper one, Cluster API's manager and the
localfleet provider beside the hub for the cluster_api one (molecule_scenarios.py)."""

import pytest

import molecule_scenarios
from localfleet import fleet

pytestmark = pytest.mark.builds("karmada", "gatekeeper", "capi")


@pytest.fixture(name="molecule_env", scope="module")
def fixture_molecule_env(local_fleet):
    was_up = {row["cluster"] for row in fleet.status() if row["state"] == "up"}
    fleet.up(len(local_fleet.spokes), karmada=True, gatekeeper=("spoke-1",), capi=True)
    yield molecule_scenarios.environment()
    fleet.stop("gatekeeper@spoke-1")
    for plane in ("karmada", "cluster-api"):
        if plane not in was_up:
            fleet.stop(plane)


@pytest.mark.parametrize("scenario", sorted(molecule_scenarios.PLANES))
def test_scenario(molecule_env, scenario):
    molecule_scenarios.run(scenario, molecule_env)


def test_every_scenario_runs_in_one_of_the_two_files():
    assert set(molecule_scenarios.PLANES) <= set(molecule_scenarios.SCENARIOS)
