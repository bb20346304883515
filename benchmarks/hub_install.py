"""The whole hub-spoke loop (playbooks/site.yml): first run on a new fleet, then a second run.

Runs a throw-away fleet (hub + N spokes) in its own folder and port range, so a fleet you have running
is untouched, with the local inventory's group_vars (Argo CD from ../shared/upstream):
  .venv/bin/python benchmarks/hub_install.py [--spokes 2] [--flavor standard|ha|core]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def site(inventory, flavor):
    cmd = ["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks/site.yml"),
           "-e", json.dumps({"argocd_hub_flavor": flavor})]
    env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if proc.returncode:
        raise SystemExit(f"site.yml failed:\n{proc.stdout[-3000:]}")
    stats = json.loads(proc.stdout[proc.stdout.index("{"):])["stats"]
    return wall, sum(host.get("changed", 0) for host in stats.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spokes", type=int, default=2)
    parser.add_argument("--flavor", default="standard", choices=["standard", "ha", "core"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(FLEET_DIR=scratch, FLEET_PORT_BASE="26000")
        from localfleet import config, fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_* at import

        # The local inventory, pointed at this fleet's kubeconfig; group_vars come along.
        inventory = Path(scratch) / "inventory"
        shutil.copytree(ROOT / "inventories/local", inventory)
        source = inventory / "fleet.clusters.yml"
        source.write_text(source.read_text().replace("../../.fleet/kubeconfig", str(config.KUBECONFIG)))
        (inventory / "group_vars/role_hub.yml").write_text((inventory / "group_vars/role_hub.yml").read_text().replace(
            "{{ inventory_dir }}/../../../shared", str(ROOT.parent / "shared")))
        fleet.ensure_built()
        try:
            fleet.up(args.spokes)
            first = site(inventory, args.flavor)
            again = site(inventory, args.flavor)
        finally:
            fleet.down()

    print(f"site.yml, Argo CD {args.flavor}, hub + {args.spokes} spokes")
    print(f"first run (install, wait for Argo CD, register, ApplicationSets): {first[0]:5.1f} s, changed {first[1]}")
    print(f"second run (nothing to do):                                     {again[0]:5.1f} s, changed {again[1]}")


if __name__ == "__main__":
    main()
