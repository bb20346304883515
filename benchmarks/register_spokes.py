"""Register many spokes to one Argo CD hub with forks=10: wall time in total and per spoke.

Runs a throw-away fleet (hub + N spokes, one KWOK node each) in its own folder and port range, so a
fleet you have running is untouched, and the collection's own playbooks against it:
  .venv/bin/python benchmarks/register_spokes.py [--spokes 20] [--forks 10]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.playbook_run import timed_playbook  # noqa: E402  # pylint: disable=wrong-import-position


def write_inventory(scratch, kubeconfig):
    path = Path(scratch) / "bench.clusters.yml"
    path.write_text(json.dumps({
        "plugin": "hubspoke.multicluster.clusters",
        "sources": [{"type": "kubeconfig", "name": "bench", "path": str(kubeconfig), "labels": {"role": "spoke"},
                     "context_labels": {"hub": {"role": "hub"}}}],
    }))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spokes", type=int, default=20)
    parser.add_argument("--forks", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(FLEET_DIR=scratch, FLEET_PORT_BASE="26000", FLEET_NODES="1")
        from kubernetes import client, config as kube_config  # pylint: disable=import-outside-toplevel

        from localfleet import config, fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_* at import

        fleet.ensure_built()
        try:
            started = time.monotonic()
            fleet.up(args.spokes)
            fleet_up = time.monotonic() - started
            hub = kube_config.new_client_from_config(str(config.KUBECONFIG), context="hub", persist_config=False)
            client.CoreV1Api(hub).create_namespace({"metadata": {"name": "argocd"}})
            inventory = write_inventory(scratch, config.KUBECONFIG)

            figures = {name: (timed_playbook(playbook, inventory, args.forks, limit), hosts) for name, playbook, limit, hosts in [
                ("register", "register_spokes.yml", None, args.spokes),
                ("again (no change)", "register_spokes.yml", None, args.spokes),
                ("rotate every token", "rotate_credentials.yml", None, args.spokes),
                ("deregister", "deregister.yml", None, args.spokes),
                ("register one alone", "register_spokes.yml", "spoke-1", 1),
            ]}
        finally:
            fleet.down()

    print(f"fleet: hub + {args.spokes} spokes up in {fleet_up:.0f} s; playbooks with forks={args.forks}")
    for name, ((wall, changed), hosts) in figures.items():
        print(f"{name:<20} {hosts:3d} spokes  total {wall:6.1f} s  {wall / hosts:5.2f} s per spoke  changed {changed}")


if __name__ == "__main__":
    main()
