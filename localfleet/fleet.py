"""The whole fleet: build if needed, bring clusters up in order, write the shared kubeconfig."""

import base64
import subprocess

import yaml

from . import config
from .cluster import LocalCluster
from .karmada import KarmadaPlane


def ensure_built(karmada=False):
    """Run build.sh unless the pinned binaries are cached already (the first run pays the build)."""
    if not config.binaries_built(karmada):
        subprocess.run(["bash", str(config.ROOT / "localfleet" / "build.sh"), *(["karmada"] if karmada else [])],
                       check=True)


def up(spokes=2, overlap=(), karmada=False):
    """Bring up the hub and `spokes` spokes (and Karmada's control plane); healthy ones are left as they are."""
    ensure_built(karmada)
    specs = config.fleet_specs(spokes, overlap)
    # Clusters start one at a time: on two cores parallel API server start-ups only slow each other down.
    for spec in specs:
        LocalCluster(spec).up()
    write_kubeconfig(config.existing_specs())
    if karmada:
        plane = KarmadaPlane()
        plane.up()
        write_kubeconfig([plane.spec], config.KARMADA_KUBECONFIG)
    return specs


def down():
    """Stop every process the fleet started, by pid; data stays for a fast next `up`."""
    stopped = [spec.name for spec in config.existing_specs() if LocalCluster(spec).stop()]
    if config.load_spec("karmada") and KarmadaPlane().stop():
        stopped.append("karmada")
    return stopped


def _local(name):
    spec = _existing(name)
    return KarmadaPlane() if spec.name == "karmada" else LocalCluster(spec)


def stop(name):
    return _local(name).stop()


def start(name):
    cluster = _local(name)
    cluster.up()
    return cluster.spec


def status():
    rows = [LocalCluster(spec).status() for spec in config.existing_specs()]
    return rows + ([KarmadaPlane().status()] if config.load_spec("karmada") else [])


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(doc, sort_keys=False))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path
