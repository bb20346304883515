"""Where the fleet lives and how its clusters are laid out: names, ports, CIDRs, binaries."""

import ipaddress
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import upstream

ROOT = Path(__file__).resolve().parent.parent
FLEET_DIR = Path(os.environ.get("FLEET_DIR", ROOT / ".fleet"))
CACHE_DIR = Path(os.environ.get("FLEET_CACHE", ROOT / ".cache"))
# Keep the whole range (base + 1000) below 32768, where Linux's ephemeral ports begin: there any outgoing
# connection may hold a port the fleet wants.
PORT_BASE = int(os.environ.get("FLEET_PORT_BASE", "16000"))
NODES_PER_CLUSTER = int(os.environ.get("FLEET_NODES", "3"))
KUBECONFIG = FLEET_DIR / "kubeconfig"
CLUSTERS_DIR = FLEET_DIR / "clusters"

# Each cluster owns a block of ports: PORT_BASE + PORTS_PER_CLUSTER * index + offset.
PORTS_PER_CLUSTER = 10
_PORT_OFFSETS = {"apiserver": 0, "etcd": 1, "etcd_peer": 2, "controller_manager": 3, "scheduler": 4, "kwok": 5,
                 # Karmada's control plane has more processes than a cluster: its block is two blocks wide.
                 "karmada_aggregated": 6, "karmada_webhook": 7, "karmada_controller_manager_health": 8,
                 "karmada_controller_manager_metrics": 9, "karmada_scheduler_health": 10,
                 "karmada_scheduler_metrics": 11,
                 # Gatekeeper's manager beside a cluster takes the free offsets of that cluster's block.
                 "gatekeeper_webhook": 6, "gatekeeper_health": 7, "gatekeeper_metrics": 8, "karmada_webhook_health": 12, "karmada_webhook_metrics": 13,
                 # Argo CD's controllers have a block of their own (they have no API server).
                 "argocd_redis": 0, "argocd_repo_server": 1, "argocd_repo_server_metrics": 2,
                 "argocd_controller_metrics": 3, "argocd_appset_metrics": 4, "argocd_appset_probe": 5,
                 "argocd_appset_webhook": 6,
                 # Cluster API's manager has a block of its own too.
                 "capi_health": 0, "capi_diagnostics": 1, "capi_webhook": 2}
# Karmada's API server sits in the last two blocks of the range; Argo CD's controllers beside a cluster of
# index i in block ARGOCD_INDEX - i (the hub's in 97): clear of the 50 clusters a fleet runs at most for i below 48.
KARMADA_INDEX = 98
ARGOCD_INDEX = 97
KARMADA_KUBECONFIG = FLEET_DIR / "karmada.kubeconfig"
# Git repositories the local Argo CD reads, as file:// URLs.
GIT_DIR = FLEET_DIR / "git"
# Process groups beside the clusters, with folders under CLUSTERS_DIR but no cluster of their own.
PLANES = ("karmada",)


def read_versions(path=ROOT / "localfleet" / "versions.env"):
    """Parse versions.env, the one place the fleet's versions are pinned."""
    versions = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            versions[key] = value
    return versions


VERSIONS = read_versions()


def binary(name, versions=None, cache_dir=None):
    """Path of a binary build.sh produced; the folder is keyed by the pinned version."""
    versions = versions or VERSIONS
    cache_dir = cache_dir or CACHE_DIR
    if name in ("kwok", "stages.yaml"):
        return cache_dir / "bin" / f"kwok-{versions['KWOK_VERSION']}" / name
    if name.startswith("argocd"):
        return cache_dir / "bin" / f"argocd-{versions['ARGOCD_VERSION']}" / name
    if name in ("thanos", "kustomize", "helm"):
        return cache_dir / "bin" / f"{name}-{versions[name.upper() + '_VERSION']}" / name
    if name == "gatekeeper":
        return cache_dir / "bin" / f"gatekeeper-{versions['GATEKEEPER_VERSION']}" / name
    if name == "rollouts-controller":
        return cache_dir / "bin" / f"rollouts-{versions['ROLLOUTS_VERSION']}" / name
    if name == "cluster-api-manager":
        return cache_dir / "bin" / f"cluster-api-{versions['CAPI_VERSION']}" / name
    if name.startswith("karmada"):
        return cache_dir / "bin" / f"karmada-{versions['KARMADA_VERSION']}" / name
    return cache_dir / "bin" / f"kubernetes-{versions['KUBERNETES_VERSION']}" / name


def missing_builds(extras=()):
    """The build.sh arguments still to build: `kubernetes` (always needed), then those of `extras` not cached."""
    last = {"kubernetes": ["kube-apiserver", "kwok"], "karmada": ["karmada-agent"], "argocd": ["argocd", "kustomize", "helm"],
            "thanos": ["thanos"], "gatekeeper": ["gatekeeper"], "rollouts": ["rollouts-controller"],
            "capi": ["cluster-api-manager"]}
    return [name for name in ("kubernetes", *extras)
            if not all(binary(b).with_name(".complete").exists() for b in last[name])]


def upstream_dir(name):
    """An upstream project's files at the version the fleet runs (Karmada's CRDs, Argo CD's), fetched once."""
    version_key = {"karmada": "KARMADA_VERSION", "argo-cd": "ARGOCD_VERSION", "gatekeeper": "GATEKEEPER_VERSION",
                   "cluster-api": "CAPI_VERSION"}[name]
    return upstream.fetch(name, VERSIONS[version_key], root=CACHE_DIR / "upstream")


def karmada_spec():
    """Karmada's API server: a cluster of its own (etcd + kube-apiserver) that has no nodes."""
    return load_spec("karmada") or ClusterSpec("karmada", KARMADA_INDEX, "10.250.0.0/16", "10.251.0.0/16")


@dataclass(frozen=True)
class ClusterSpec:
    """One cluster's fixed layout. Index 0 is the hub; spokes count up from 1."""

    name: str
    index: int
    service_cidr: str
    pod_cidr: str

    def port(self, component):
        return PORT_BASE + PORTS_PER_CLUSTER * self.index + _PORT_OFFSETS[component]

    @property
    def server(self):
        return f"https://127.0.0.1:{self.port('apiserver')}"

    @property
    def service_ip(self):
        """The `kubernetes` Service's ClusterIP: the first address of the service range."""
        return str(next(ipaddress.ip_network(self.service_cidr).hosts()))

    @property
    def directory(self):
        return CLUSTERS_DIR / self.name

    def save(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "spec.json").write_text(json.dumps(asdict(self), indent=2) + "\n")


def load_spec(name):
    """The layout a cluster was created with; it never changes afterwards (etcd holds its CIDRs)."""
    path = CLUSTERS_DIR / name / "spec.json"
    if not path.exists():
        return None
    return ClusterSpec(**json.loads(path.read_text()))


def existing_specs():
    """The fleet's clusters, hub first (Karmada's API server is not among them)."""
    if not CLUSTERS_DIR.is_dir():
        return []
    specs = (load_spec(p.name) for p in CLUSTERS_DIR.iterdir() if p.name not in PLANES)
    return sorted((s for s in specs if s), key=lambda s: s.index)


def cidrs_for(index):
    """Distinct ranges per cluster, the way real fleets must be laid out for Submariner."""
    return f"10.{96 + index}.0.0/16", f"10.{160 + index}.0.0/16"


def fleet_specs(spokes, overlap=()):
    """The hub and `spokes` spokes. `overlap` names two clusters; the second reuses the first's CIDRs.

    A cluster that already exists keeps the layout it was created with.
    """
    names = ["hub"] + [f"spoke-{i}" for i in range(1, spokes + 1)]
    specs = {}
    for index, name in enumerate(names):
        service_cidr, pod_cidr = cidrs_for(index)
        specs[name] = ClusterSpec(name, index, service_cidr, pod_cidr)
    if overlap:
        if len(overlap) != 2 or not set(overlap) <= set(names):
            raise ValueError(f"overlap must name two of {', '.join(names)}, got {', '.join(overlap)}")
        first, second = (specs[n] for n in overlap)
        specs[second.name] = ClusterSpec(second.name, second.index, first.service_cidr, first.pod_cidr)
    return [load_spec(name) or spec for name, spec in specs.items()]
