"""Warm fleet-up time (binaries cached) and memory per cluster, for docs/benchmarks.md.

Runs a throw-away fleet in its own folder and port range, so a fleet you have running is untouched:
  .venv/bin/python benchmarks/fleet_up.py [--spokes 2]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spokes", type=int, default=2)
    parser.add_argument("--settle", type=float, default=20, help="seconds to wait before reading memory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["FLEET_DIR"] = scratch
        os.environ["FLEET_PORT_BASE"] = "26000"
        from localfleet import fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_DIR at import

        fleet.ensure_built()
        try:
            started = time.monotonic()
            fleet.up(args.spokes)
            first = time.monotonic() - started

            started = time.monotonic()
            fleet.up(args.spokes)
            again = time.monotonic() - started

            fleet.down()
            started = time.monotonic()
            fleet.up(args.spokes)
            restart = time.monotonic() - started

            time.sleep(args.settle)
            rows = fleet.status()
        finally:
            fleet.down()

    clusters = args.spokes + 1
    print(f"fleet-up, new fleet of {clusters} clusters (certs, etcd, API servers, nodes Ready): {first:.1f} s")
    print(f"fleet-up, fleet already healthy (no-op):                      {again:.2f} s")
    print(f"fleet-up, restart of a stopped fleet (data kept):              {restart:.1f} s")
    for row in rows:
        print(f"RSS {row['cluster']:<8} (etcd+apiserver+controller-manager+scheduler+kwok): {row['rss_mib']} MiB")
    print(f"RSS mean per cluster: {sum(r['rss_mib'] for r in rows) / len(rows):.0f} MiB")


if __name__ == "__main__":
    main()
