"""The Molecule scenarios of the roles that need a plane of the local fleet: Karmada's processes for the
karmada_* scenarios, Gatekeeper's manager beside spoke-1 for the gatekeeper one (molecule_scenarios.py)."""

import pytest

import molecule_scenarios
from localfleet import fleet

pytestmark = pytest.mark.builds("karmada", "gatekeeper")


@pytest.fixture(name="molecule_env", scope="module")
def fixture_molecule_env(local_fleet):
    was_up = any(row["cluster"] == "karmada" and row["state"] == "up" for row in fleet.status())
    fleet.up(len(local_fleet.spokes), karmada=True, gatekeeper=("spoke-1",))
    yield molecule_scenarios.environment()
    fleet.stop("gatekeeper@spoke-1")
    if not was_up:
        fleet.stop("karmada")


@pytest.mark.parametrize("scenario", sorted(molecule_scenarios.PLANES))
def test_scenario(molecule_env, scenario):
    molecule_scenarios.run(scenario, molecule_env)


def test_every_scenario_runs_in_one_of_the_two_files():
    assert set(molecule_scenarios.PLANES) <= set(molecule_scenarios.SCENARIOS)
