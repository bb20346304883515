"""python -m localfleet {up,down,status,stop,start,kubeconfig}: the Makefile's fleet-* targets."""

import argparse
import json
import os
import sys

from . import config, fleet
from .cluster import FleetError

COLUMNS = ("cluster", "server", "version", "nodes_ready", "state", "rss_mib", "service_cidr", "pod_cidr")


def print_table(rows):
    header = {c: c.upper().replace("_", " ") for c in COLUMNS}
    widths = {c: max(len(str(r[c])) for r in [header, *rows]) for c in COLUMNS}
    for row in [header, *rows]:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in COLUMNS).rstrip())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="localfleet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the hub and N spokes (idempotent)")
    up.add_argument("--spokes", type=int, default=int(os.environ.get("FLEET_SPOKES", "2")))
    up.add_argument("--overlap", default=os.environ.get("FLEET_OVERLAP", ""),
                    help="two clusters, comma-separated, whose pod and service CIDRs overlap (at creation)")
    up.add_argument("--karmada", action="store_true", default=os.environ.get("KARMADA", "") not in ("", "0"),
                    help="also run Karmada's control plane (API server, aggregated API, webhook, controllers)")
    up.add_argument("--argocd", nargs="?", const="1", default=os.environ.get("ARGOCD", ""),
                    help="also run Argo CD's application controller, repo server and ApplicationSet controller: "
                         "beside the hub (1), or beside each of these clusters, comma-separated (an instance each)")
    up.add_argument("--gatekeeper", default=os.environ.get("GATEKEEPER", ""),
                    help="clusters, comma-separated, beside which Gatekeeper's manager runs (webhook and audit)")
    up.add_argument("--capi", action="store_true", default=os.environ.get("CAPI", "") not in ("", "0"),
                    help="also run Cluster API's core manager and the localfleet provider beside the hub")
    sub.add_parser("down", help="stop every fleet process")
    status = sub.add_parser("status", help="print a table of clusters")
    status.add_argument("--json", action="store_true")
    for name in ("stop", "start"):
        one = sub.add_parser(name, help=f"{name} one cluster")
        one.add_argument("cluster")
    sub.add_parser("kubeconfig", help="print the path of the fleet kubeconfig")
    args = parser.parse_args(argv)

    try:
        if args.command == "up":
            overlap = tuple(n.strip() for n in args.overlap.split(",") if n.strip())
            gatekeeper = tuple(n.strip() for n in args.gatekeeper.split(",") if n.strip())
            argocd = args.argocd == "1" or tuple(n.strip() for n in args.argocd.split(",") if n.strip() not in ("", "0"))
            fleet.up(args.spokes, overlap, args.karmada, argocd, keep_stopped=True, gatekeeper=gatekeeper,
                     capi=args.capi)
            print_table(fleet.status())
            print(f"\nkubeconfig: {config.KUBECONFIG}")
        elif args.command == "down":
            stopped = fleet.down()
            print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
        elif args.command == "status":
            rows = fleet.status()
            if args.json:
                print(json.dumps(rows, indent=2))
            else:
                print_table(rows) if rows else print("no fleet: run `make fleet-up`")
        elif args.command == "stop":
            print(f"{args.cluster}: {'stopped' if fleet.stop(args.cluster) else 'was not running'}")
        elif args.command == "start":
            fleet.start(args.cluster)
            print(f"{args.cluster}: up")
        elif args.command == "kubeconfig":
            print(config.KUBECONFIG)
    except (FleetError, ValueError) as err:
        print(f"localfleet: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
