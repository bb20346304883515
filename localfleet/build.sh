#!/usr/bin/env bash
# Build the local fleet's binaries from Go modules (no release downloads exist on this machine).
#
# k8s.io/kubernetes requires its staging modules at v0.0.0 with replace directives to ./staging, so
# `go install k8s.io/kubernetes/cmd/...@vX` cannot work. We generate a throw-away wrapper module that
# requires k8s.io/kubernetes at the pinned release, replaces every staging module with the matching
# v0.<minor>.<patch>, and names the commands in a `tool` block. etcd is built from the same module graph.
#
# Output: .cache/bin/kubernetes-<v>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl,etcd}
#         .cache/bin/kwok-<v>/{kwok,stages.yaml}, .cache/bin/<name>-<v>/ for the optional components
# A finished build leaves a .complete marker; a second run with the same versions does nothing. Each step
# prints its number, what it builds and the time so far, every 30 s while it compiles, and says when the
# cache made it instant. FLEET_CACHE moves the cache (a clone can share another's).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=/dev/null
. "$here/versions.env"

cache=${FLEET_CACHE:-$root/.cache}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 GOWORK=off

step=0 steps=0 label=""
log() { printf '[build %d/%d %s] %s\n' "$step" "$steps" "$label" "$*" >&2; }
elapsed() { printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60)); }

# usage: begin <label> <out dir>: start the next step; returns 1 (skip it) when its build is cached.
# A lock beside the output lets two build.sh share one cache at once (make integration builds the extras in the
# background while a test may ask for one): the second waits for the first and then finds the build cached.
begin() {
    step=$((step + 1)) label=$1
    mkdir -p "$(dirname "$2")"
    exec {lock}>"$2.lock"
    if ! flock -n "$lock"; then
        log "another build.sh is building into $2; waiting for it"
        flock "$lock"
    fi
    if [ -f "$2/.complete" ]; then
        log "cached in $2, nothing to build"
        unlock
        return 1
    fi
    log "building into $2 ($(elapsed) so far)"
}

unlock() { exec {lock}>&-; }

# Run a long command with a line every 30 s, so nobody faces a silent terminal for minutes.
progress() {
    local what=$1; shift
    log "$what"
    ( while sleep 30; do log "still $what ($(elapsed) so far)"; done ) &
    local ticker=$! rc=0
    "$@" || rc=$?
    kill "$ticker" 2>/dev/null || true
    wait "$ticker" 2>/dev/null || true
    return $rc
}

done_step() {
    touch "$1/.complete"
    unlock
    log "built into $1 ($(elapsed) so far)"
}

resolve_etcd() { go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION" && go mod tidy; }

build_kubernetes() {
    local out="$cache/bin/kubernetes-$KUBERNETES_VERSION"
    begin "kubernetes $KUBERNETES_VERSION" "$out" || return 0
    local mod="$cache/gomod/kubernetes-$KUBERNETES_VERSION"
    mkdir -p "$mod" "$out"
    log "resolving staging modules"
    local upstream_mod
    upstream_mod=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
    local staging_version="v0.${KUBERNETES_VERSION#v1.}"
    {
        echo "module localfleet/kubernetes"
        echo
        grep -E '^(go|godebug) ' "$upstream_mod"
        echo
        echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
        echo
        echo "replace ("
        awk '/=> \.\/staging/ {print $1}' "$upstream_mod" | sort -u | while read -r m; do
            echo "	$m => $m $staging_version"
        done
        echo ")"
        echo
        echo "tool ("
        echo "	k8s.io/kubernetes/cmd/kube-apiserver"
        echo "	k8s.io/kubernetes/cmd/kube-controller-manager"
        echo "	k8s.io/kubernetes/cmd/kube-scheduler"
        echo "	k8s.io/kubernetes/cmd/kubectl"
        echo ")"
    } >"$mod/go.mod"
    (
        cd "$mod"
        progress "resolving etcd $ETCD_VERSION and downloading modules" resolve_etcd
        local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
        local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        local ld=""
        for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
            ld+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
            ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
        done
        progress "compiling kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (the longest step)" \
            go build -trimpath -ldflags "-s -w$ld" -o "$out/" \
            k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
            k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
        progress "compiling etcd $ETCD_VERSION" go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
    )
    done_step "$out"
}

# A command whose module builds with a plain `go install pkg@version`.
# usage: install_command <out> <package@version> [ldflags]
install_command() {
    mkdir -p "$1"
    GOBIN="$1" progress "compiling $2" go install -trimpath -ldflags "-s -w ${3:-}" "$2"
}

build_kwok() {
    local out="$cache/bin/kwok-$KWOK_VERSION"
    begin "kwok $KWOK_VERSION" "$out" || return 0
    install_command "$out" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    # The kwok controller does nothing without Stage objects. kwokctl embeds the "fast" stages; we
    # assemble the same upstream files from the module cache into one --config file.
    local stages
    stages="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
    local f first=1
    : >"$out/stages.yaml"
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
        pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
        [ $first = 1 ] || echo "---" >>"$out/stages.yaml"
        first=0
        cat "$stages/$f" >>"$out/stages.yaml"
    done
    done_step "$out"
}

# Build commands of a Go module at a pinned version through a wrapper module of our own, because the
# module proxy refuses the `list` query `go install pkg@version` makes, and because a main module's
# replace directives are ignored when it is a dependency: the wrapper copies upstream's go/godebug lines
# and its replace block (module-path replaces only; a local-path replace cannot be copied).
# usage: [WRAP_REPLACE="<old> => <new> <version>"] build_wrapped <name> <module> <version> <ldflags> <package>...
# (binaries land in $out; WRAP_REPLACE adds one replace of our own)
build_wrapped() {
    local name=$1 module=$2 version=$3 ldflags=$4; shift 4
    local mod="$cache/gomod/$name-$version"
    mkdir -p "$mod"
    local upstream_mod
    upstream_mod=$(cd "$mod" && printf 'module localfleet/%s\n' "$name" >go.mod &&
        go mod download -json "$module@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
    {
        printf 'module localfleet/%s\n\n' "$name"
        grep -E '^(go|godebug) ' "$upstream_mod"
        printf '\nrequire %s %s\n\n' "$module" "$version"
        awk '/^replace \($/ {on=1} on && !/=> \.\.?\// {print} on && /^\)$/ {on=0}' "$upstream_mod"
        awk '/^replace [^(]/ && !/=> \.\.?\// {print}' "$upstream_mod"
        [ -z "${WRAP_REPLACE:-}" ] || printf '\nreplace %s\n' "$WRAP_REPLACE"
    } >"$mod/go.mod"
    (
        cd "$mod"
        progress "resolving $module@$version" go get -tool "${@/%/@$version}"
        progress "compiling $name $version (${*##*/})" go build -trimpath -ldflags "-s -w $ldflags" -o "$out/" "$@"
    )
}

build_karmada() {
    local out="$cache/bin/karmada-$KARMADA_VERSION" c
    begin "karmada $KARMADA_VERSION" "$out" || return 0
    local repo=github.com/karmada-io/karmada packages=()
    local commands=(aggregated-apiserver controller-manager scheduler webhook agent)
    mkdir -p "$out"
    for c in "${commands[@]}"; do packages+=("$repo/cmd/$c"); done
    build_wrapped karmada "$repo" "$KARMADA_VERSION" "-X $repo/pkg/version.gitVersion=$KARMADA_VERSION" "${packages[@]}"
    for c in "${commands[@]}"; do mv "$out/$c" "$out/karmada-$c"; done
    done_step "$out"
}

# Argo CD is one binary that acts as the component named by ARGOCD_BINARY_NAME. v3.2 is the newest line
# whose go.mod does not replace gitops-engine with a local path.
build_argocd() {
    local out="$cache/bin/argocd-$ARGOCD_VERSION"
    begin "argocd $ARGOCD_VERSION" "$out" || return 0
    local repo=github.com/argoproj/argo-cd/v3
    mkdir -p "$out"
    build_wrapped argocd "$repo" "$ARGOCD_VERSION" "-X $repo/common.version=${ARGOCD_VERSION#v}" "$repo/cmd"
    mv "$out/cmd" "$out/argocd"
    done_step "$out"
}

# The repo server renders Kustomize sources (and their replica overrides) with a kustomize on its PATH, as
# Argo CD's image ships one.
build_kustomize() {
    local out="$cache/bin/kustomize-$KUSTOMIZE_VERSION"
    begin "kustomize $KUSTOMIZE_VERSION" "$out" || return 0
    install_command "$out" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    done_step "$out"
}

# And helm, for Helm sources, as Argo CD's image ships it.
build_helm() {
    local out="$cache/bin/helm-$HELM_VERSION"
    begin "helm $HELM_VERSION" "$out" || return 0
    install_command "$out" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    done_step "$out"
}

# Thanos (sidecar and query in one binary) for the functional monitoring test.
build_thanos() {
    local out="$cache/bin/thanos-$THANOS_VERSION"
    begin "thanos $THANOS_VERSION" "$out" || return 0
    local repo=github.com/thanos-io/thanos
    mkdir -p "$out"
    # zenhack.net (capnp's helpers) is not a host the module proxy serves here; its GitHub mirror is.
    WRAP_REPLACE="zenhack.net/go/util => github.com/zenhack/go-util v0.0.0-20231005031245-66f5419c2aea" \
        build_wrapped thanos "$repo" "$THANOS_VERSION" \
        "-X github.com/prometheus/common/version.Version=${THANOS_VERSION#v}" "$repo/cmd/thanos"
    done_step "$out"
}

# Gatekeeper's manager (webhook, audit and controllers in one binary, its main package at the module root)
# for the governance tests. Its go.mod has no replace directives; the wrapper is for the proxy's refusal of
# the `list` query only.
build_gatekeeper() {
    local out="$cache/bin/gatekeeper-$GATEKEEPER_VERSION"
    begin "gatekeeper $GATEKEEPER_VERSION" "$out" || return 0
    local repo=github.com/open-policy-agent/gatekeeper/v3
    mkdir -p "$out"
    build_wrapped gatekeeper "$repo" "$GATEKEEPER_VERSION" "-X $repo/pkg/version.Version=$GATEKEEPER_VERSION" "$repo"
    done_step "$out"
}

# Argo Rollouts' controller for the canary test. Its go.mod pins the Kubernetes modules with replace directives,
# which the wrapper copies.
build_rollouts() {
    local out="$cache/bin/rollouts-$ROLLOUTS_VERSION"
    begin "rollouts $ROLLOUTS_VERSION" "$out" || return 0
    local repo=github.com/argoproj/argo-rollouts
    mkdir -p "$out"
    build_wrapped rollouts "$repo" "$ROLLOUTS_VERSION" "-X $repo/utils/version.version=${ROLLOUTS_VERSION#v}" \
        "$repo/cmd/rollouts-controller"
    done_step "$out"
}

# Cluster API's core controller manager (its main package is core/) for the provisioning test. Its go.mod
# replaces sigs.k8s.io/cluster-api/api with ./api, a module of its own that the module zip leaves out: the
# wrapper takes that module from the proxy at the same version.
build_capi() {
    local out="$cache/bin/cluster-api-$CAPI_VERSION"
    begin "cluster-api $CAPI_VERSION" "$out" || return 0
    local repo=sigs.k8s.io/cluster-api
    mkdir -p "$out"
    WRAP_REPLACE="$repo/api => $repo/api $CAPI_VERSION" build_wrapped cluster-api "$repo" "$CAPI_VERSION" \
        "-X $repo/version.gitVersion=$CAPI_VERSION" "$repo/core"
    mv "$out/core" "$out/cluster-api-manager"
    done_step "$out"
}

# usage: build.sh [karmada] [argocd] [thanos] [gatekeeper] [rollouts] [capi]   (Kubernetes and KWOK are always built; argocd brings kustomize and helm)
targets=(kubernetes kwok)
for extra in "$@"; do
    case $extra in
        karmada | thanos | gatekeeper | rollouts | capi) targets+=("$extra") ;;
        argocd) targets+=(kustomize helm argocd) ;;
        *) log "unknown component: $extra"; exit 2 ;;
    esac
done
steps=${#targets[@]}
for target in "${targets[@]}"; do "build_$target"; done
label="done" step=$steps log "$(elapsed) in all"
