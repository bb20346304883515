"""Cluster API on the local fleet: its core controller manager beside the hub (built from the cluster-api
module, its CRDs from the same module) and `localfleet`, a development-only provider of this project that
fulfils the infrastructure and control-plane contracts by starting a real local cluster for each Cluster.

Why a provider of our own: Cluster API's in-memory provider keeps its workload clusters' API servers in its
manager's memory (no token a registration makes could be checked against a real API server), and its module
(sigs.k8s.io/cluster-api/test) is not served at v1.14 here. This one starts etcd, kube-apiserver, the
controllers and KWOK nodes as for any fleet cluster, so a provisioned cluster is as real as a spoke.

The contract, v1beta2 (what the core manager of v1.14 reads; the CRDs carry `cluster.x-k8s.io/v1beta2:
v1alpha1` so that it finds their version):
- LocalFleetCluster (infrastructure): `status.initialization.provisioned` (loopback needs nothing made).
- LocalFleetControlPlane (control plane): once its Cluster's infrastructure is provisioned (as Cluster API's
  own control plane provider waits), the provider starts the cluster (folder `capi-<Cluster name>`, a
  port block from CAPI_FIRST_INDEX up), writes the `<cluster>-kubeconfig` Secret (type cluster.x-k8s.io/secret,
  key `value`), then sets `spec.controlPlaneEndpoint` and `status.initialization.controlPlaneInitialized`.
- Deleting either: a finalizer holds it until the provider has stopped the cluster and removed its folder.
"""

import base64
import os
import shutil
import sys
import time
import urllib.error

import yaml

from . import api, config, pki, process
from .cluster import FleetError, LocalCluster

NAMESPACE = "capi-system"
FINALIZER = "localfleet.hubspoke.dev/cluster"
CLUSTER_NAME_LABEL = "cluster.x-k8s.io/cluster-name"
INFRASTRUCTURE = ("infrastructure.cluster.x-k8s.io", "LocalFleetCluster", "localfleetclusters")
CONTROL_PLANE = ("controlplane.cluster.x-k8s.io", "LocalFleetControlPlane", "localfleetcontrolplanes")
VERSION = "v1alpha1"
PREFIX = "capi-"
# Provisioned clusters take the port blocks from here up, the manager CAPI_INDEX: clear of 50 fleet clusters,
# Karmada's two blocks, and the Argo CD instances beside the hub and 20 spokes (blocks 97 down to 77).
CAPI_FIRST_INDEX, CAPI_LAST_INDEX = 60, 75
CAPI_INDEX = 76
POLL = 1.0


def provider_crd(group, kind, plural):
    """A CRD for one of the provider's kinds: any spec, a status subresource, the contract label."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}", "labels": {"cluster.x-k8s.io/v1beta2": VERSION}},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"kind": kind, "listKind": kind + "List", "plural": plural, "singular": kind.lower()},
                 "versions": [{"name": VERSION, "served": True, "storage": True, "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {"type": "object",
                                                              "x-kubernetes-preserve-unknown-fields": True}}}]},
    }


def provisioned_name(cluster_name):
    return PREFIX + cluster_name


def is_provisioned(spec):
    """Whether a fleet folder holds a cluster this provider made (fleet.up leaves those alone)."""
    return spec.index >= CAPI_FIRST_INDEX


class ClusterAPI(process.ProcessGroup):
    """Cluster API's core manager and the localfleet provider, beside the hub (which must be up)."""

    components = ("cluster-api-manager", "provider")

    def __init__(self, hub):
        self.hub = hub
        self.spec = config.ClusterSpec("cluster-api", CAPI_INDEX, "-", "-")
        self.dir = hub.directory / "cluster-api"

    def _binary(self, component):
        return config.binary("cluster-api-manager") if component == "cluster-api-manager" else sys.executable

    def _bootstrap(self, hub):
        hub.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        for path in sorted((config.upstream_dir("cluster-api") / "crds").glob("*.yaml")):
            hub.create(crds, yaml.safe_load(path.read_text()))
        for group, kind, plural in (INFRASTRUCTURE, CONTROL_PLANE):
            hub.create(crds, provider_crd(group, kind, plural))

    def _argv(self, component):
        if component == "provider":
            return [sys.executable, "-m", "localfleet.capi", self.hub.name]
        port = self.spec.port
        return [config.binary("cluster-api-manager"), "--leader-elect=false",
                f"--health-addr=127.0.0.1:{port('capi_health')}",
                f"--diagnostics-address=127.0.0.1:{port('capi_diagnostics')}", "--insecure-diagnostics",
                f"--webhook-port={port('capi_webhook')}", f"--webhook-cert-dir={self.dir / 'certs'}"]

    def up(self, timeout=60):
        """Start what is not running; wait until the manager reports healthy."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.release()
        hub = api.AdminClient(self.hub)
        self._bootstrap(hub)
        # The manager serves its webhooks (no API server calls them here: the CRDs have no webhook stanza).
        pki.ensure_ca(self.dir / "certs", "cluster-api-webhook")
        pki.ensure_serving_cert(self.dir / "certs", "tls", ["localhost"])
        env = {"KUBECONFIG": str(LocalCluster(self.hub)._kubeconfig("admin")),  # pylint: disable=protected-access
               "PYTHONPATH": str(config.ROOT)}
        for component in self.components:
            process.start(self._argv(component), self._pid_file(component), self._log_file(component), env=env)
        deadline = time.monotonic() + timeout
        while not _healthy(self.spec.port("capi_health")):
            for component in self.components:
                if not self.pid(component):
                    raise FleetError(f"cluster-api: {component} exited; see {self._log_file(component)}")
            if time.monotonic() > deadline:
                raise FleetError(f"cluster-api: the manager is not healthy after {timeout}s; "
                                 f"see {self._log_file('cluster-api-manager')}")
            time.sleep(0.25)

    def status(self):
        return self.plane_status("cluster-api", f"health 127.0.0.1:{self.spec.port('capi_health')}",
                                 config.VERSIONS["CAPI_VERSION"])


def _healthy(port):
    import urllib.request  # pylint: disable=import-outside-toplevel

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _path(kind, namespace=None, name=None, status=False):
    group, _kind, plural = kind
    path = f"/apis/{group}/{VERSION}" + (f"/namespaces/{namespace}" if namespace else "") + f"/{plural}"
    return path + (f"/{name}" if name else "") + ("/status" if status else "")


def _merge(hub, path, body):
    return hub.request("PATCH", path, body, content_type="application/merge-patch+json")


def _cluster_spec(name):
    """The fleet layout of a provisioned cluster: kept once made, else the first free port block."""
    existing = config.load_spec(name)
    if existing:
        return existing
    taken = {spec.index for spec in config.existing_specs()}
    free = [i for i in range(CAPI_FIRST_INDEX, CAPI_LAST_INDEX + 1) if i not in taken]
    if not free:
        raise FleetError(f"no free port block for {name}: {CAPI_LAST_INDEX - CAPI_FIRST_INDEX + 1} clusters at most")
    service_cidr, pod_cidr = config.cidrs_for(free[0])
    spec = config.ClusterSpec(name, free[0], service_cidr, pod_cidr)
    spec.save()
    return spec


def _kubeconfig_secret(control_plane, cluster_name, spec):
    """The `<cluster>-kubeconfig` Secret, owned by the control plane object (it goes when the Cluster goes)."""
    from .fleet import kubeconfig_document  # pylint: disable=import-outside-toplevel

    metadata = control_plane["metadata"]
    value = yaml.safe_dump(kubeconfig_document([spec]), sort_keys=False).encode()
    owner = {"apiVersion": control_plane["apiVersion"], "kind": control_plane["kind"], "name": metadata["name"],
             "uid": metadata["uid"], "controller": True}
    return {"apiVersion": "v1", "kind": "Secret", "type": "cluster.x-k8s.io/secret",
            "metadata": {"name": f"{cluster_name}-kubeconfig", "namespace": metadata["namespace"],
                         "labels": {CLUSTER_NAME_LABEL: cluster_name}, "ownerReferences": [owner]},
            "data": {"value": base64.b64encode(value).decode()}}


def _release(hub, kind, obj):
    """Drop the provider's finalizer (a merge patch replaces the whole list)."""
    metadata = obj["metadata"]
    rest = [f for f in metadata.get("finalizers") or [] if f != FINALIZER]
    _merge(hub, _path(kind, metadata["namespace"], metadata["name"]), {"metadata": {"finalizers": rest}})


def _hold(hub, kind, obj):
    metadata = obj["metadata"]
    if FINALIZER not in (metadata.get("finalizers") or []):
        _merge(hub, _path(kind, metadata["namespace"], metadata["name"]),
               {"metadata": {"finalizers": [*(metadata.get("finalizers") or []), FINALIZER]}})


def reconcile_infrastructure(hub, obj):
    metadata = obj["metadata"]
    if metadata.get("deletionTimestamp"):
        _release(hub, INFRASTRUCTURE, obj)
        return
    _hold(hub, INFRASTRUCTURE, obj)
    if not ((obj.get("status") or {}).get("initialization") or {}).get("provisioned"):
        _merge(hub, _path(INFRASTRUCTURE, metadata["namespace"], metadata["name"], status=True),
               {"status": {"initialization": {"provisioned": True}}})


def reconcile_control_plane(hub, obj):
    metadata = obj["metadata"]
    cluster_name = (metadata.get("labels") or {}).get(CLUSTER_NAME_LABEL)
    if metadata.get("deletionTimestamp"):
        if cluster_name and config.load_spec(provisioned_name(cluster_name)):
            spec = config.load_spec(provisioned_name(cluster_name))
            LocalCluster(spec).stop()
            shutil.rmtree(spec.directory, ignore_errors=True)
        _release(hub, CONTROL_PLANE, obj)
        return
    if not cluster_name:  # the core manager has not adopted it yet
        return
    _hold(hub, CONTROL_PLANE, obj)
    owner = hub.request("GET", f"/apis/cluster.x-k8s.io/v1beta2/namespaces/{metadata['namespace']}/clusters/"
                               f"{cluster_name}")
    if not ((owner.get("status") or {}).get("initialization") or {}).get("infrastructureProvisioned"):
        return
    spec = _cluster_spec(provisioned_name(cluster_name))
    cluster = LocalCluster(spec)
    if not cluster.pid("kube-apiserver"):
        print(f"starting {spec.name} for Cluster {metadata['namespace']}/{cluster_name}", flush=True)
        cluster.up()
    hub.apply(f"/api/v1/namespaces/{metadata['namespace']}/secrets",
              _kubeconfig_secret(obj, cluster_name, spec))
    endpoint = {"host": "127.0.0.1", "port": spec.port("apiserver")}
    if (obj.get("spec") or {}).get("controlPlaneEndpoint") != endpoint:
        _merge(hub, _path(CONTROL_PLANE, metadata["namespace"], metadata["name"]),
               {"spec": {"controlPlaneEndpoint": endpoint}})
    if not ((obj.get("status") or {}).get("initialization") or {}).get("controlPlaneInitialized"):
        _merge(hub, _path(CONTROL_PLANE, metadata["namespace"], metadata["name"], status=True),
               {"status": {"initialization": {"controlPlaneInitialized": True}, "version": config.VERSIONS[
                   "KUBERNETES_VERSION"]}})


def serve(hub_name):
    """The provider's loop: every POLL seconds, each object of its two kinds brought to its contract."""
    hub = api.AdminClient(config.load_spec(hub_name), timeout=10)
    while True:
        for kind, reconcile in ((INFRASTRUCTURE, reconcile_infrastructure), (CONTROL_PLANE, reconcile_control_plane)):
            try:
                items = hub.request("GET", _path(kind))["items"]
            except (OSError, urllib.error.URLError, KeyError) as err:
                print(f"listing {kind[2]}: {err}", flush=True)
                continue
            for obj in items:
                try:
                    reconcile(hub, obj)
                except (OSError, urllib.error.URLError, FleetError) as err:
                    print(f"{kind[1]} {obj['metadata']['namespace']}/{obj['metadata']['name']}: {err}", flush=True)
        time.sleep(POLL)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    serve(sys.argv[1])
