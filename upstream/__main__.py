"""python -m upstream {fetch [name[@version]...] | mirror DIR | list}: the Makefile's upstream and mirror targets."""

import argparse
import sys

from . import SOURCES, UpstreamError, fetch, mirror, version_of


def log(message):
    print(f"[upstream] {message}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="upstream", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    get = sub.add_parser("fetch", help="fetch into the cache (all names at their pins by default)")
    get.add_argument("names", nargs="*", metavar="name[@version]")
    copy = sub.add_parser("mirror", help="write every name at its pin under DIR, in the layout the roles accept")
    copy.add_argument("dir")
    sub.add_parser("list", help="names, pinned versions and what each holds")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            for name, _sep, version in (n.partition("@") for n in args.names or SOURCES):
                print(fetch(name, version or None, log=log))
        elif args.command == "mirror":
            paths = mirror(args.dir, log=log)
            print(f"argocd_hub_manifests: {paths['argo-cd']}")
            print(f"karmada_control_plane_manifests: {paths['karmada'] / 'operator'}")
            print(f"submariner_broker_crds: {paths['submariner-operator'] / 'crds'}")
            print(f"submariner_join_crds: {paths['submariner-operator'] / 'crds'}")
        else:
            for name, source in SOURCES.items():
                print(f"{name:20} {version_of(name):9} {source.what}")
    except (UpstreamError, KeyError) as err:
        print(f"upstream: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
