"""Memory of one more Argo CD instance, for sizing the per-cluster and per-group topologies (docs/benchmarks.md).

A throw-away fleet of a hub and N spokes in its own folder and port range; Argo CD's controllers (application
controller, repo server, ApplicationSet controller, Redis) beside every cluster, then, after --settle seconds,
each instance's memory as PSS (shared pages split between the processes that map them, so the instances'
shared binary text is counted once overall) and RSS, and what Argo CD's CRDs add to that cluster's API server:
  .venv/bin/python benchmarks/argocd_instances.py [--spokes 2] [--settle 30]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def memory_kib(pid, field):
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spokes", type=int, default=2)
    parser.add_argument("--settle", type=float, default=30, help="seconds to wait before reading memory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["FLEET_DIR"] = scratch
        os.environ["FLEET_PORT_BASE"] = "26000"
        # pylint: disable=import-outside-toplevel  # localfleet reads FLEET_DIR at import
        from localfleet import fleet
        from localfleet.argocd import ArgoCDControllers
        from localfleet.cluster import LocalCluster

        try:
            specs = fleet.up(args.spokes)
            time.sleep(args.settle)
            before = {s.name: memory_kib(LocalCluster(s).pid("kube-apiserver"), "Pss") for s in specs}
            fleet.up(args.spokes, argocd=[s.name for s in specs])
            time.sleep(args.settle)
            rows = []
            for spec in specs:
                instance = ArgoCDControllers(spec)
                pids = [instance.pid(c) for c in instance.components]
                apiserver = memory_kib(LocalCluster(spec).pid("kube-apiserver"), "Pss") - before[spec.name]
                rows.append((instance.name, sum(memory_kib(p, "Pss") for p in pids if p),
                             sum(memory_kib(p, "Rss") for p in pids if p), apiserver))
        finally:
            fleet.down()

    print(f"{'instance':<16} {'PSS MiB':>8} {'RSS MiB':>8} {'its cluster API server, + MiB':>30}")
    for name, pss, rss, apiserver in rows:
        print(f"{name:<16} {pss / 1024:>8.0f} {rss / 1024:>8.0f} {apiserver / 1024:>30.0f}")
    print(f"mean per instance: PSS {sum(r[1] for r in rows) / len(rows) / 1024:.0f} MiB, "
          f"API server +{sum(r[3] for r in rows) / len(rows) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
