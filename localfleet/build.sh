#!/usr/bin/env bash
# Build the local fleet's binaries from Go modules (no release downloads exist on this machine).
#
# k8s.io/kubernetes requires its staging modules at v0.0.0 with replace directives to ./staging, so
# `go install k8s.io/kubernetes/cmd/...@vX` cannot work. We generate a throw-away wrapper module that
# requires k8s.io/kubernetes at the pinned release, replaces every staging module with the matching
# v0.<minor>.<patch>, and names the commands in a `tool` block. etcd is built from the same module graph.
#
# Output: .cache/bin/kubernetes-<v>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl,etcd}
#         .cache/bin/kwok-<v>/{kwok,stages.yaml}
# A finished build leaves a .complete marker; a second run with the same versions does nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=/dev/null
. "$here/versions.env"

cache=${FLEET_CACHE:-$root/.cache}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 GOWORK=off

log() { printf '[build] %s\n' "$*" >&2; }

build_kubernetes() {
    local out="$cache/bin/kubernetes-$KUBERNETES_VERSION"
    [ -f "$out/.complete" ] && { log "kubernetes $KUBERNETES_VERSION: cached in $out"; return; }
    local mod="$cache/gomod/kubernetes-$KUBERNETES_VERSION"
    mkdir -p "$mod" "$out"
    log "kubernetes $KUBERNETES_VERSION: resolving staging modules"
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
        go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
        go mod tidy
        local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
        local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        local ld=""
        for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
            ld+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
            ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
        done
        log "kubernetes $KUBERNETES_VERSION: compiling (about 9 minutes on 2 cores with empty Go caches)"
        go build -trimpath -ldflags "-s -w$ld" -o "$out/" \
            k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
            k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
        go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
    )
    touch "$out/.complete"
    log "kubernetes $KUBERNETES_VERSION: built into $out"
}

# A command whose module builds with a plain `go install pkg@version`.
# usage: install_command <out> <label> <package@version>
install_command() {
    mkdir -p "$1"
    log "$2: compiling"
    GOBIN="$1" go install -trimpath -ldflags "-s -w" "$3"
}

build_kwok() {
    local out="$cache/bin/kwok-$KWOK_VERSION"
    [ -f "$out/.complete" ] && { log "kwok $KWOK_VERSION: cached in $out"; return; }
    install_command "$out" "kwok $KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
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
    touch "$out/.complete"
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
        go get -tool "${@/%/@$version}"
        log "$name $version: compiling"
        go build -trimpath -ldflags "-s -w $ldflags" -o "$out/" "$@"
    )
}

build_karmada() {
    local out="$cache/bin/karmada-$KARMADA_VERSION" c
    local commands=(aggregated-apiserver controller-manager scheduler webhook agent)
    local missing=0
    for c in "${commands[@]}"; do [ -x "$out/karmada-$c" ] || missing=1; done
    [ -f "$out/.complete" ] && [ $missing = 0 ] && { log "karmada $KARMADA_VERSION: cached in $out"; return; }
    local repo=github.com/karmada-io/karmada packages=()
    mkdir -p "$out"
    for c in "${commands[@]}"; do packages+=("$repo/cmd/$c"); done
    log "karmada $KARMADA_VERSION: about 6 minutes on 2 cores with empty Go caches"
    build_wrapped karmada "$repo" "$KARMADA_VERSION" "-X $repo/pkg/version.gitVersion=$KARMADA_VERSION" "${packages[@]}"
    for c in "${commands[@]}"; do mv "$out/$c" "$out/karmada-$c"; done
    # The CRDs and webhook configuration the local control plane applies, and the karmada-operator
    # manifests (an offline source for the karmada_control_plane role), from the same module.
    local src
    src="$(go env GOMODCACHE)/$repo@$KARMADA_VERSION"
    rm -rf "$out/karmada-crds" && cp -r "$src/charts/karmada/_crds/bases" "$out/karmada-crds"
    cp "$src/artifacts/deploy/webhook-configuration.yaml" "$out/karmada-webhook-configuration.yaml"
    rm -rf "$out/karmada-operator" && cp -r "$src/operator/config" "$out/karmada-operator"
    chmod -R u+w "$out"
    touch "$out/.complete"
    log "karmada $KARMADA_VERSION: built into $out"
}

# Argo CD is one binary that acts as the component named by ARGOCD_BINARY_NAME. v3.2 is the newest line
# whose go.mod does not replace gitops-engine with a local path.
build_argocd() {
    build_kustomize
    local out="$cache/bin/argocd-$ARGOCD_VERSION"
    [ -f "$out/.complete" ] && { log "argocd $ARGOCD_VERSION: cached in $out"; return; }
    local repo=github.com/argoproj/argo-cd/v3
    mkdir -p "$out"
    log "argocd $ARGOCD_VERSION: about 10 minutes on 2 cores with empty Go caches"
    build_wrapped argocd "$repo" "$ARGOCD_VERSION" "-X $repo/common.version=${ARGOCD_VERSION#v}" "$repo/cmd"
    mv "$out/cmd" "$out/argocd"
    # Its CRDs, which the local controllers need on the hub before the argocd_hub role has run.
    rm -rf "$out/argocd-crds" && cp -r "$(go env GOMODCACHE)/$repo@$ARGOCD_VERSION/manifests/crds" "$out/argocd-crds"
    chmod -R u+w "$out"
    touch "$out/.complete"
    log "argocd $ARGOCD_VERSION: built into $out"
}

# The repo server renders Kustomize sources (and their replica overrides) with a kustomize on its PATH, as
# Argo CD's image ships one.
build_kustomize() {
    local out="$cache/bin/kustomize-$KUSTOMIZE_VERSION"
    [ -f "$out/.complete" ] && { log "kustomize $KUSTOMIZE_VERSION: cached in $out"; return; }
    install_command "$out" "kustomize $KUSTOMIZE_VERSION" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    touch "$out/.complete"
}

# Thanos (sidecar and query in one binary) for the functional monitoring test.
build_thanos() {
    local out="$cache/bin/thanos-$THANOS_VERSION"
    [ -f "$out/.complete" ] && { log "thanos $THANOS_VERSION: cached in $out"; return; }
    local repo=github.com/thanos-io/thanos
    mkdir -p "$out"
    log "thanos $THANOS_VERSION: about 5 minutes on 2 cores with empty Go caches"
    # zenhack.net (capnp's helpers) is not a host the module proxy serves here; its GitHub mirror is.
    WRAP_REPLACE="zenhack.net/go/util => github.com/zenhack/go-util v0.0.0-20231005031245-66f5419c2aea" \
        build_wrapped thanos "$repo" "$THANOS_VERSION" \
        "-X github.com/prometheus/common/version.Version=${THANOS_VERSION#v}" "$repo/cmd/thanos"
    touch "$out/.complete"
    log "thanos $THANOS_VERSION: built into $out"
}

# usage: build.sh [karmada] [argocd] [thanos]   (Kubernetes and KWOK are always built)
build_kubernetes
build_kwok
for extra in "$@"; do
    case $extra in
        karmada | argocd | thanos) "build_$extra" ;;
        *) log "unknown component: $extra"; exit 2 ;;
    esac
done
