"""What the two Molecule test files share: the scenarios, which of them need a plane of the local fleet
(Karmada's processes, Gatekeeper's manager beside spoke-1, Cluster API's manager beside the hub), the environment and the run.

The scenarios that need no plane are a file of their own (test_molecule.py), so that they run while
`make integration` is still building those planes in the background, on either worker; the four that do
are test_molecule_planes.py."""

import os
import re
import subprocess

import upstream
from helpers import INVENTORY, ROOT

SCENARIOS = sorted(p.parent.name for p in (ROOT / "extensions/molecule").glob("*/molecule.yml"))
# scenario -> the plane its role needs
PLANES = {"karmada_control_plane": "karmada", "karmada_member": "karmada", "karmada_policies": "karmada",
          "gatekeeper": "gatekeeper", "cluster_api": "capi"}


def environment():
    """The scenarios' environment: the fleet's inventory and every upstream manifest folder from the cache."""
    env = {"HUBSPOKE_FLEET_INVENTORY": str(INVENTORY)}
    for name in upstream.SOURCES:
        env["HUBSPOKE_UPSTREAM_" + name.upper().replace("-", "_")] = str(upstream.fetch(name))
    return {**os.environ, **env}


def run(scenario, env):
    """`molecule test -s <scenario>`: fails the test with the end of Molecule's output unless it passed and
    its recaps name the fleet's clusters (a play whose hosts match nothing passes silently)."""
    proc = subprocess.run(["molecule", "test", "-s", scenario], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output[-8000:]
    assert re.search(r"\b(hub|spoke-1) +: ok=[1-9]", output), output[-8000:]
