"""Every role's Molecule scenario (extensions/molecule/<role>/) against the local fleet: prepare, converge, a
second converge that must change nothing (Molecule's idempotence step), verify on the clusters, cleanup.

The scenarios share the fleet these tests run (.config/molecule/config.yml links its inventory and group_vars);
Karmada's processes are started for the Karmada scenarios, Gatekeeper's manager beside spoke-1 for the
gatekeeper scenario, and the upstream manifests come from the cache.
"""

import os
import re
import subprocess

import pytest

import upstream
from helpers import INVENTORY, ROOT
from localfleet import fleet

pytestmark = pytest.mark.builds("karmada", "gatekeeper")

SCENARIOS = sorted(p.parent.name for p in (ROOT / "extensions/molecule").glob("*/molecule.yml"))


@pytest.fixture(name="molecule_env", scope="module")
def fixture_molecule_env(local_fleet):
    was_up = any(row["cluster"] == "karmada" and row["state"] == "up" for row in fleet.status())
    fleet.up(len(local_fleet.spokes), karmada=True, gatekeeper=("spoke-1",))
    env = {"HUBSPOKE_FLEET_INVENTORY": str(INVENTORY)}
    for name in upstream.SOURCES:
        env["HUBSPOKE_UPSTREAM_" + name.upper().replace("-", "_")] = str(upstream.fetch(name))
    yield {**os.environ, **env}
    fleet.stop("gatekeeper@spoke-1")
    if not was_up:
        fleet.stop("karmada")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(molecule_env, scenario):
    proc = subprocess.run(["molecule", "test", "-s", scenario], cwd=ROOT, env=molecule_env,
                          capture_output=True, text=True, check=False)
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output[-8000:]
    # A play whose hosts match nothing passes silently: the recaps must name the fleet's clusters.
    assert re.search(r"\b(hub|spoke-1) +: ok=[1-9]", output), output[-8000:]
