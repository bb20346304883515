"""`make demo` as a newcomer runs it: the repository cloned into an empty temporary folder (nothing beside it),
on ports of its own, sharing only the build and upstream caches (FLEET_CACHE, which the Makefile honours; a
clone without it builds from scratch). Argo CD's controllers sync the guestbook application from the demo's
local Git repository, and the run ends with the fleet's table read from the clusters: every production spoke
Synced and Healthy with its replicas ready, the staging spoke not selected. A second run changes nothing; with
a spoke stopped by `make fleet-stop` the demo still finishes and shows it DOWN."""

import json
import os
import re
import subprocess

import pytest

from helpers import ROOT
from localfleet import config

pytestmark = pytest.mark.builds("argocd")

PORT_BASE = "22000"  # clear of the test fleets' ranges (TEST_PORT_BASES in the Makefile, 1000 ports each)


def make(clone, *args, timeout=1800):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANSIBLE_", "FLEET_", "MAKE", "VIRTUAL_ENV")) and k != "MFLAGS"}
    env.update(FLEET_CACHE=str(config.CACHE_DIR), FLEET_PORT_BASE=PORT_BASE,
               PATH=os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(ROOT))))
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"make {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def table(output):
    """{cluster: [cells]} of the table site.yml prints last."""
    start = output.rindex("TASK [Print one line per cluster and application]")
    lines = json.loads(re.search(r"=> (\{.*?\n\})", output[start:], re.DOTALL).group(1))["msg"]
    return {line.split()[0]: line.split() for line in lines[1:]}


@pytest.fixture(name="clone", scope="module")
def fixture_clone(tmp_path_factory):
    clone = tmp_path_factory.mktemp("newcomer") / "hubspoke-multicluster"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    yield clone
    make(clone, "fleet-down")


def test_make_demo_deploys_by_label_and_says_so(clone):
    first = table(make(clone, "demo"))
    for spoke in ("spoke-1", "spoke-2"):
        assert first[spoke][1] == "up" and first[spoke][4:] == [f"guestbook-{spoke}", "Synced", "Healthy", "3/3"]
    assert " ".join(first["spoke-3"][4:]) == "(no ApplicationSet selects its labels)"
    assert first["hub"][4] == "(hub)"

    again = make(clone, "demo")
    assert "demo: nothing changed" in again and table(again) == first

    make(clone, "fleet-stop", "CLUSTER=spoke-2")
    down = table(make(clone, "demo"))
    assert down["spoke-2"][1] == "DOWN" and down["spoke-2"][-1] == "-"
    assert down["spoke-1"][4:] == ["guestbook-spoke-1", "Synced", "Healthy", "3/3"]
