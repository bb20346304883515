"""Every role's Molecule scenario (extensions/molecule/<role>/) against the local fleet: prepare, converge, a
second converge that must change nothing (Molecule's idempotence step), verify on the clusters, cleanup.

The scenarios share the fleet these tests run (.config/molecule/config.yml links its inventory and group_vars),
and the upstream manifests come from the cache. These are the scenarios that need no plane of the fleet;
test_molecule_planes.py runs the Karmada and Gatekeeper ones (molecule_scenarios.py).
"""

import pytest

import molecule_scenarios


@pytest.fixture(name="molecule_env", scope="module")
def fixture_molecule_env(local_fleet):  # pylint: disable=unused-argument
    return molecule_scenarios.environment()


@pytest.mark.parametrize("scenario", [s for s in molecule_scenarios.SCENARIOS if s not in molecule_scenarios.PLANES])
def test_scenario(molecule_env, scenario):
    molecule_scenarios.run(scenario, molecule_env)
