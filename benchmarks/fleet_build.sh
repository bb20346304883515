#!/usr/bin/env bash
# Cold build of the local fleet's binaries: empty Go module cache, build cache and binary cache,
# exactly what a fresh machine pays once. Prints the wall time; nothing in the repo is touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'chmod -R u+w "$scratch"; rm -rf "$scratch"' EXIT
start=$(date +%s)
GOMODCACHE="$scratch/gomod" GOCACHE="$scratch/gobuild" FLEET_CACHE="$scratch/cache" \
    bash "$root/localfleet/build.sh" >"$scratch/build.log" 2>&1 || { tail -20 "$scratch/build.log"; exit 1; }
end=$(date +%s)
echo "cold build (kube-apiserver, controller-manager, scheduler, kubectl, etcd, kwok): $((end - start)) s"
echo "module cache: $(du -sh "$scratch/gomod" | cut -f1), build cache: $(du -sh "$scratch/gobuild" | cut -f1), binaries: $(du -sh "$scratch/cache/bin" | cut -f1)"
