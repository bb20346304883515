"""The whole fleet: build if needed, bring clusters up in order, write the shared kubeconfig."""

import base64
import os
import shutil
import subprocess
from pathlib import Path

import yaml

from . import config, demo_app
from .argocd import ArgoCDControllers, plane_name
from .capi import ClusterAPI, is_provisioned
from .cluster import FleetError, LocalCluster
from .gatekeeper import Gatekeeper
from .karmada import KarmadaPlane

# The two places inventories/local names the checkout's .fleet: the kubeconfig source, and local_fleet_dir.
INVENTORY_FLEET_PATHS = (("fleet.clusters.yml", "../../.fleet"),
                         ("group_vars/all.yml", "{{ (inventory_dir ~ '/../../.fleet') | ansible.builtin.realpath }}"))
# Where the local inventory finds the upstream manifests it installs (Argo CD's, at the controllers' version).
UPSTREAM_LINK = config.FLEET_DIR / "upstream"


# inotify instances a process holds once it serves: kube-apiserver's certificate and CA file watchers,
# Gatekeeper's certificate watcher, and Karmada's control plane (its kube-apiserver, and one each for its
# aggregated API server and webhook) (counted on a running fleet, `ls -l /proc/<pid>/fd | grep -c inotify`).
INOTIFY_INSTANCES = {"cluster": 6, "gatekeeper": 1, "karmada": 8}


def inotify_in_use(proc=Path("/proc"), uid=None):
    """inotify instances held by this user's processes, which Linux counts against fs.inotify.max_user_instances."""
    uid = os.getuid() if uid is None else uid
    held = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            held += sum(1 for fd in (entry / "fd").iterdir() if os.readlink(fd) == "anon_inode:inotify")
        except OSError:  # the process ended, or its fds are not ours to read
            continue
    return held


def check_inotify(clusters, gatekeepers, karmada=False, proc=Path("/proc")):
    """Refuse to start `clusters` API servers, `gatekeepers` Gatekeepers and Karmada's control plane past the
    user's inotify instances: the process that crosses the limit fails a minute later with "too many open
    files", the fleet half up."""
    needed = (INOTIFY_INSTANCES["cluster"] * clusters + INOTIFY_INSTANCES["gatekeeper"] * gatekeepers
              + (INOTIFY_INSTANCES["karmada"] if karmada else 0))
    if not needed:
        return
    try:
        limit = int((proc / "sys/fs/inotify/max_user_instances").read_text())
    except (OSError, ValueError):
        return
    in_use = inotify_in_use(proc)
    if in_use + needed > limit:
        plane = ", Karmada's control plane" if karmada else ""
        raise FleetError(
            f"starting {clusters} clusters{plane} and {gatekeepers} Gatekeepers needs {needed} inotify instances "
            f"({INOTIFY_INSTANCES['cluster']} per kube-apiserver), and {in_use} of this user's {limit} "
            f"(fs.inotify.max_user_instances) are in use: raise the limit as root, for example "
            f"`sysctl -w fs.inotify.max_user_instances={max(512, 2 * (in_use + needed))}`, or start fewer spokes")


def ensure_built(*extras):
    """Run build.sh unless the pinned binaries are cached already (the first run pays the build).

    extras: any of "karmada", "argocd", "thanos", "rollouts", "gatekeeper", "capi", built beside Kubernetes and KWOK.
    """
    missing = config.missing_builds(extras)
    if missing:
        subprocess.run(["bash", str(config.ROOT / "localfleet" / "build.sh"),
                        *(m for m in missing if m != "kubernetes")], check=True)


def up(spokes=2, overlap=(), karmada=False, argocd=False, keep_stopped=False, gatekeeper=(), capi=False):
    """Bring up the hub and `spokes` spokes (and Karmada's control plane, Argo CD's controllers beside the hub
    with `argocd=True` or beside each cluster `argocd` names, Gatekeeper beside the clusters `gatekeeper`
    names, Cluster API's manager and the localfleet provider beside the hub with `capi`); healthy ones are left
    as they are. Spokes beyond `spokes` are stopped: the fleet is what was asked for, and its kubeconfig names
    exactly those clusters (those Cluster API provisioned are Cluster API's to remove). With `keep_stopped`, a
    cluster `stop` took down stays down (the CLI's `up`, so that `make demo` after `make fleet-stop` shows it
    down); tests start everything."""
    ensure_built(*(["karmada"] if karmada else []), *(["argocd"] if argocd else []),
                 *(["gatekeeper"] if gatekeeper else []), *(["capi"] if capi else []))
    link_upstream()
    specs = config.fleet_specs(spokes, overlap)
    wanted = {spec.name for spec in specs}
    for spec in config.existing_specs():
        if spec.name not in wanted and not is_provisioned(spec):
            LocalCluster(spec).stop()
    by_name = {spec.name: spec for spec in specs}
    argocd = [specs[0].name] if argocd is True else list(argocd or ())
    for plane, names in (("argocd", argocd), ("gatekeeper", gatekeeper)):
        missing = [name for name in names if name not in by_name]
        if missing:
            raise FleetError(f"{plane}: no cluster named {missing[0]!r} in this fleet ({', '.join(by_name)})")
    check_inotify(sum(1 for spec in specs if not LocalCluster(spec).pid("kube-apiserver")),
                  sum(1 for name in gatekeeper if not Gatekeeper(by_name[name]).pid("gatekeeper")),
                  karmada and not KarmadaPlane().pid("kube-apiserver"))
    # Clusters start one at a time: on two cores parallel API server start-ups only slow each other down.
    for spec in specs:
        if not (keep_stopped and LocalCluster(spec).held()):
            LocalCluster(spec).up()
    write_kubeconfig(specs)
    if karmada:
        plane = KarmadaPlane()
        plane.up()
        write_kubeconfig([plane.spec], config.KARMADA_KUBECONFIG)
    if argocd:
        demo_app.ensure_guestbook(config.GIT_DIR / "guestbook.git")
    for name in argocd:
        ArgoCDControllers(by_name[name]).up()
    for name in gatekeeper:
        Gatekeeper(by_name[name]).up()
    if capi:
        ClusterAPI(specs[0]).up()
    return specs


def local_inventory():
    """inventories/local pointed at this fleet: a copy in FLEET_DIR/inventory whose paths name FLEET_DIR instead of
    the checkout's .fleet, so tests and benchmarks run on a fleet of their own beside a user's demo fleet."""
    inventory = config.FLEET_DIR / "inventory"
    shutil.rmtree(inventory, ignore_errors=True)
    shutil.copytree(config.ROOT / "inventories/local", inventory)
    for name, old in INVENTORY_FLEET_PATHS:
        text = (inventory / name).read_text()
        if old not in text:
            raise FleetError(f"inventories/local/{name} no longer names {old}: update INVENTORY_FLEET_PATHS")
        (inventory / name).write_text(text.replace(old, str(config.FLEET_DIR)))
    return inventory


def link_upstream():
    """`.fleet/upstream`, the upstream cache, holding the Argo CD manifests the local inventory installs."""
    config.upstream_dir("argo-cd")
    target = config.CACHE_DIR / "upstream"
    if not (UPSTREAM_LINK.is_symlink() and UPSTREAM_LINK.resolve() == target.resolve()):
        UPSTREAM_LINK.parent.mkdir(parents=True, exist_ok=True)
        UPSTREAM_LINK.unlink(missing_ok=True)
        UPSTREAM_LINK.symlink_to(target)


def _planes():
    """Karmada's plane, Gatekeepers and Argo CD's controllers, where this fleet has ever run them."""
    planes = {}
    for spec in config.existing_specs():
        if (spec.directory / "gatekeeper").is_dir():
            planes[f"gatekeeper@{spec.name}"] = Gatekeeper(spec)
    if config.load_spec("karmada"):
        planes["karmada"] = KarmadaPlane()
    for spec in config.existing_specs():
        if (spec.directory / "argocd").is_dir():
            planes[plane_name(spec)] = ArgoCDControllers(spec)
    hub = config.load_spec("hub")
    if hub and (hub.directory / "cluster-api").is_dir():
        planes["cluster-api"] = ClusterAPI(hub)
    return planes


def down():
    """Stop every process the fleet started, by pid; data stays for a fast next `up`."""
    # Argo CD's controllers, Karmada and Gatekeepers first: they talk to the clusters.
    stopped = [name for name, plane in reversed(_planes().items()) if plane.stop()]
    return stopped + [spec.name for spec in config.existing_specs() if LocalCluster(spec).stop()]


def _local(name):
    planes = _planes()
    return planes[name] if name in planes else LocalCluster(_existing(name))


def stop(name):
    """Stop one cluster (or plane) and hold it down: `up` with keep_stopped leaves it so until `start`."""
    return _local(name).stop(hold=True)


def start(name):
    cluster = _local(name)
    cluster.up()
    return cluster.spec


def status():
    rows = [LocalCluster(spec).status() for spec in config.existing_specs()]
    return rows + [plane.status() for plane in _planes().values()]


def _existing(name):
    spec = config.load_spec(name)
    if spec is None:
        known = ", ".join(s.name for s in config.existing_specs()) or "none"
        raise SystemExit(f"no cluster named {name!r} in {config.CLUSTERS_DIR} (known: {known})")
    return spec


def _b64(path):
    return base64.b64encode(path.read_bytes()).decode()


def write_kubeconfig(specs, path=None):
    """One self-contained kubeconfig, a context per cluster named after it (hub, spoke-1, ...).

    Credentials are embedded (not file paths) so the file works from any directory and in AWX.
    """
    path = path or config.KUBECONFIG
    doc = kubeconfig_document(specs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(doc, sort_keys=False))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def kubeconfig_document(specs):
    """The kubeconfig of `specs` as a dict, each cluster's admin credentials embedded."""
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": [],
           "current-context": specs[0].name if specs else ""}
    for spec in specs:
        pki = spec.directory / "pki"
        user = f"{spec.name}-admin"
        doc["clusters"].append({"name": spec.name, "cluster": {
            "server": spec.server, "certificate-authority-data": _b64(pki / "ca.crt")}})
        doc["users"].append({"name": user, "user": {
            "client-certificate-data": _b64(pki / "admin.crt"), "client-key-data": _b64(pki / "admin.key")}})
        doc["contexts"].append({"name": spec.name, "context": {"cluster": spec.name, "user": user}})
    return doc
