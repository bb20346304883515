#!/usr/bin/env bash
# What a newcomer waits for: the repository cloned into an empty folder, with empty Go module and build caches
# and an empty .cache, on ports of its own. Times, in one run: the first `make demo` (every build included),
# `make demo` again (nothing to change), and `make demo` on a new fleet with the builds cached. With --test, a
# cold `make test` in a second fresh clone too (about the CI run's length). Nothing in this checkout is touched.
#   bash benchmarks/newcomer.sh [--test]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
clone="$scratch/hubspoke-multicluster"
export GOMODCACHE="$scratch/gomod" GOCACHE="$scratch/gobuild" FLEET_PORT_BASE=24000 TEST_PORT_BASE=25000
unset FLEET_CACHE FLEET_DIR
cleanup() {
    for dir in "$clone" "$scratch/test-clone"; do
        [ -d "$dir" ] && make -C "$dir" --no-print-directory fleet-down >/dev/null 2>&1 || true
    done
    chmod -R u+w "$scratch" 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT
git clone --quiet "$root" "$clone"

timed() {  # timed <label> <make args...>: one run, its wall time and the demo's closing line
    local label=$1 start; shift
    start=$(date +%s)
    make -C "$clone" --no-print-directory "$@" >"$scratch/run.log" 2>&1 || { tail -30 "$scratch/run.log"; exit 1; }
    printf '%-48s %5d s   %s\n' "$label" $(($(date +%s) - start)) "$(grep '^demo:' "$scratch/run.log" || true)"
}
timed "first make demo (cold: builds included)" demo
timed "make demo again (nothing to change)" demo
make -C "$clone" --no-print-directory fleet-down >/dev/null
rm -rf "$clone/.fleet"
timed "make demo on a new fleet, builds cached" demo
make -C "$clone" --no-print-directory fleet-down >/dev/null
if [ "${1:-}" = "--test" ]; then
    chmod -R u+w "$scratch" 2>/dev/null || true
    rm -rf "$GOMODCACHE" "$GOCACHE"
    git clone --quiet "$root" "$scratch/test-clone"
    clone="$scratch/test-clone" timed "cold make test (empty caches, fresh clone)" test
fi
