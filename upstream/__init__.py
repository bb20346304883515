"""Upstream manifests and CRDs, fetched from the Go module proxy, verified against go.sum, cached by version.

The Go module proxy serves each upstream project's whole source tree as a checksummed zip, so the files the
roles install (Argo CD's install manifests, karmada-operator's) and the CRDs the tests apply come from there,
byte for byte as released, with no download from a release page. `go mod download -json` does the fetching
and verification (no maintained Python library speaks the module proxy protocol and checks go.sum); this
module picks the files out of the unpacked tree into `<cache>/upstream/<name>/<version>/`, in the layout the
roles' `*_manifests` / `*_crds` variables accept, which `mirror` also writes for air-gapped sites.

Standard library only: the Makefile, the local fleet and the tests use it before any virtualenv exists.
"""

import fcntl
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE_DIR = Path(os.environ.get("FLEET_CACHE", ROOT / ".cache"))


@dataclass(frozen=True)
class Source:
    """An upstream module and the files taken from it: {path in the layout: path in the module}."""

    module: str
    files: dict
    what: str


SOURCES = {
    "argo-cd": Source("github.com/argoproj/argo-cd/v3", {
        "install.yaml": "manifests/install.yaml",
        "namespace-install.yaml": "manifests/namespace-install.yaml",
        "core-install.yaml": "manifests/core-install.yaml",
        "ha/install.yaml": "manifests/ha/install.yaml",
        "ha/namespace-install.yaml": "manifests/ha/namespace-install.yaml",
        "crds": "manifests/crds",
    }, "Argo CD install manifests (standard, HA, core, namespaced) and CRDs: argocd_hub_manifests"),
    "karmada": Source("github.com/karmada-io/karmada", {
        "operator": "operator/config",
        "crds": "charts/karmada/_crds/bases",
        "webhook-configuration.yaml": "artifacts/deploy/webhook-configuration.yaml",
    }, "karmada-operator manifests (karmada_control_plane_manifests: <dir>/operator) and Karmada's CRDs"),
    "gatekeeper": Source("github.com/open-policy-agent/gatekeeper/v3", {
        "gatekeeper.yaml": "deploy/gatekeeper.yaml",
    }, "OPA Gatekeeper's install manifest (gatekeeper_manifests: the folder holding gatekeeper.yaml)"),
    "argo-rollouts": Source("github.com/argoproj/argo-rollouts", {
        "install.yaml": "manifests/install.yaml",
        "crds": "manifests/crds",
    }, "Argo Rollouts' controller manifest and CRDs: argo_rollouts_manifests"),
    "submariner-operator": Source("github.com/submariner-io/submariner-operator", {
        "crds": "config/crd/bases",
    }, "Submariner CRDs: submariner_broker_crds and submariner_join_crds"),
    "prometheus-operator": Source("github.com/prometheus-operator/prometheus-operator", {
        "crds": "example/prometheus-operator-crd",
    }, "prometheus-operator CRDs (the Prometheus kind the thanos_sidecar role edits)"),
    "cluster-api": Source("sigs.k8s.io/cluster-api", {
        "crds": "core/config/crd/bases",
    }, "Cluster API CRDs (the capi inventory source)"),
    "ocm-api": Source("open-cluster-management.io/api", {
        "crds/managedclusters.crd.yaml": "cluster/v1/0000_00_clusters.open-cluster-management.io_managedclusters.crd.yaml",
    }, "OCM ManagedCluster CRD (the ocm inventory source)"),
    "external-dns": Source("sigs.k8s.io/external-dns", {
        "crds": "config/crd/standard",
    }, "ExternalDNS DNSEndpoint CRD (the failover role's DNS switch)"),
}


class UpstreamError(RuntimeError):
    """A module that cannot be fetched or does not match its pin; the message says which and why."""


def required_versions(go_mod=HERE / "go.mod"):
    """{module: version} of go.mod's require block: the version each name resolves to by default."""
    return dict(re.findall(r"^\t(\S+) (v\S+)$", go_mod.read_text(), re.MULTILINE))


def sums(go_sum=HERE / "go.sum"):
    """{(module, version): h1 hash of its zip} from go.sum."""
    found = re.findall(r"^(\S+) (v[^/\s]+) (h1:\S+)$", go_sum.read_text(), re.MULTILINE)
    return {(module, version): digest for module, version, digest in found}


def version_of(name):
    """The pinned version of an upstream name (its go.mod require line)."""
    module = SOURCES[name].module
    try:
        return required_versions()[module]
    except KeyError:
        raise UpstreamError(f"{module} has no require line in {HERE / 'go.mod'}") from None


def _download(module, version):
    """`go mod download -json` in this folder: Go checks the zip against go.sum; we check go.sum has it."""
    pinned = sums().get((module, version))
    if pinned is None:
        raise UpstreamError(f"{module}@{version} is not pinned in {HERE / 'go.sum'}: add it there first")
    env = {**os.environ, "GOFLAGS": "-mod=readonly", "GOSUMDB": "off", "GOWORK": "off", "GOTOOLCHAIN": "local"}
    try:
        proc = subprocess.run(["go", "mod", "download", "-json", f"{module}@{version}"], cwd=HERE, env=env,
                              capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UpstreamError("the go command is needed to fetch upstream manifests (Go >= 1.24)") from None
    try:
        info = json.loads(proc.stdout)
    except ValueError:
        raise UpstreamError(f"go mod download {module}@{version} failed: {proc.stderr.strip()}") from None
    if info.get("Error") or proc.returncode:
        raise UpstreamError(f"go mod download {module}@{version} failed: {info.get('Error') or proc.stderr.strip()}")
    if info["Sum"] != pinned:
        raise UpstreamError(f"{module}@{version}: zip hash {info['Sum']} differs from go.sum's {pinned}")
    return Path(info["Dir"])


def _copy(source_dir, files, dest):
    for target, source in files.items():
        src, dst = source_dir / source, dest / target
        if not src.exists():
            raise UpstreamError(f"{source_dir.name} has no {source}: is the layout in upstream/__init__.py right?")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)
    for path in [dest, *dest.rglob("*")]:  # the module cache is read-only; the copy must be removable
        path.chmod(0o755 if path.is_dir() else 0o644)


def fetch(name, version=None, root=None, log=None):
    """`<root>/<name>/<version>/` with the files of SOURCES[name], fetched and verified once per version.

    Safe from many processes at once (the test workers, each fleet's `up`): one fetches under a lock on the
    version, the others wait and find it complete."""
    source = SOURCES[name]
    version = version or version_of(name)
    dest = Path(root or CACHE_DIR / "upstream") / name / version
    if _complete(source, dest):
        return dest
    dest.parent.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent.parent / f".{name}-{version}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _complete(source, dest):
            _fetch(name, source, version, dest, log or (lambda message: None))
    return dest


def _complete(source, dest):
    """Whether `dest` holds a finished fetch: its marker and every file of the layout (a copy that two
    processes raced on before the lock existed has the marker and lacks files)."""
    return (dest / ".complete").exists() and all((dest / target).exists() for target in source.files)


def _fetch(name, source, version, dest, log):
    started = time.monotonic()
    log(f"{name} {version}: fetching {source.module}@{version} from the Go module proxy")
    module_dir = _download(source.module, version)
    staging = dest.with_name(f".{version}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _copy(module_dir, source.files, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    (staging / ".complete").write_text(f"{source.module}@{version} {sums()[(source.module, version)]}\n")
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)
    log(f"{name} {version}: verified against go.sum, in {dest} ({time.monotonic() - started:.1f}s)")


def mirror(root, log=None):
    """Every upstream name at its pinned version under `root`, for sites without the internet."""
    return {name: fetch(name, root=root, log=log) for name in SOURCES}
