"""The whole hub-spoke loop (playbooks/site.yml): first run on a new fleet, then a second run.

Runs a throw-away fleet (hub + N spokes) in its own folder and port range, so a fleet you have running
is untouched, with the local inventory's group_vars (Argo CD from the upstream cache):
  .venv/bin/python benchmarks/hub_install.py [--spokes 2] [--flavor standard|ha|core]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.playbook_run import timed_playbook  # noqa: E402  # pylint: disable=wrong-import-position


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spokes", type=int, default=2)
    parser.add_argument("--flavor", default="standard", choices=["standard", "ha", "core"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(FLEET_DIR=scratch, FLEET_PORT_BASE="26000")
        from localfleet import fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_* at import

        inventory = fleet.local_inventory()
        fleet.ensure_built()
        try:
            fleet.up(args.spokes)
            first = timed_playbook("site.yml", inventory, extra_vars={"argocd_hub_flavor": args.flavor})
            again = timed_playbook("site.yml", inventory, extra_vars={"argocd_hub_flavor": args.flavor})
        finally:
            fleet.down()

    print(f"site.yml, Argo CD {args.flavor}, hub + {args.spokes} spokes")
    print(f"first run (install, wait for Argo CD, register, ApplicationSets): {first[0]:5.1f} s, changed {first[1]}")
    print(f"second run (nothing to do):                                     {again[0]:5.1f} s, changed {again[1]}")


if __name__ == "__main__":
    main()
