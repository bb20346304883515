"""Argo CD's controllers as local processes against one cluster, the way Argo CD's own Procfile runs them.

One `argocd` binary (built from the argo-cd module) acts as the application controller, the repo server
and the ApplicationSet controller by ARGOCD_BINARY_NAME; ARGOCD_FAKE_IN_CLUSTER lets them run outside a pod
with that cluster's admin kubeconfig, which is also what Argo CD's `in-cluster` destination reaches
(Argo CD reads the in-cluster config from KUBECONFIG when ARGOCD_FAKE_IN_CLUSTER is set). Redis is Debian's
redis-server. Git repositories are served as file:// URLs under .fleet/git (Argo CD's own end-to-end tests use
file:// repositories too).

Any cluster may run an instance: the hub's is the `argocd` plane, another cluster's `argocd@<cluster>` (the
topologies with an Argo CD per cluster or per group). Each instance has its folder under its cluster's and a
port block of its own, counted down from ARGOCD_INDEX by the cluster's index.

The objects they read are the argocd_hub role's to install. The controllers exit without them, so before
they start the cluster gets the namespace, the CRDs of the built version and empty argocd-cm and argocd-secret,
each created only where missing: the role's later apply takes them over and a restart never undoes it.
"""

import os
import shutil
import socket
import time

import yaml

from . import api, config, process
from .cluster import FleetError, LocalCluster

REDIS = "redis-server"
NAMESPACE = "argocd"
# component -> (ARGOCD_BINARY_NAME, ports it binds)
COMPONENTS = {
    "redis": (None, ("argocd_redis",)),
    "argocd-repo-server": ("argocd-repo-server", ("argocd_repo_server", "argocd_repo_server_metrics")),
    "argocd-application-controller": ("argocd-application-controller", ("argocd_controller_metrics",)),
    "argocd-applicationset-controller": ("argocd-applicationset-controller", (
        "argocd_appset_metrics", "argocd_appset_probe", "argocd_appset_webhook")),
}


def redis_binary():
    path = shutil.which(REDIS)
    if not path:
        raise FleetError("redis-server is not installed: `apt-get install redis-server` (make fleet-deps does it)")
    return path


def _listening(port):
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def plane_name(spec):
    """How fleet-status, stop and start name the instance beside the cluster of `spec`."""
    return "argocd" if spec.index == 0 else f"argocd@{spec.name}"


class ArgoCDControllers(process.ProcessGroup):
    """The three Argo CD controllers and their Redis, beside one cluster (which must be up)."""

    components = tuple(COMPONENTS)

    def __init__(self, cluster):
        self.hub = cluster
        self.name = plane_name(cluster)
        self.spec = config.ClusterSpec(self.name, config.ARGOCD_INDEX - cluster.index, "-", "-")
        self.dir = cluster.directory / "argocd"

    def _binary(self, component):
        return redis_binary() if component == "redis" else config.binary("argocd")

    def _kubeconfig(self):
        """The cluster's admin kubeconfig with namespace argocd, which is where the controllers look."""
        doc = yaml.safe_load(LocalCluster(self.hub)._kubeconfig("admin").read_text())  # pylint: disable=protected-access
        doc["contexts"][0]["context"]["namespace"] = NAMESPACE
        path = self.dir / "hub.kubeconfig"
        path.write_text(yaml.safe_dump(doc))
        return path

    def _argv(self, component, kubeconfig):
        port = self.spec.port
        redis = f"127.0.0.1:{port('argocd_redis')}"
        repo_server = f"127.0.0.1:{port('argocd_repo_server')}"
        if component == "redis":
            return [redis_binary(), "--bind", "127.0.0.1", "--port", str(port("argocd_redis")),
                    "--save", "", "--appendonly", "no"]
        common = [config.binary("argocd"), "--loglevel", "info"]
        if component == "argocd-repo-server":
            return [*common, "--address", "127.0.0.1", "--port", str(port("argocd_repo_server")),
                    "--metrics-address", "127.0.0.1", "--metrics-port", str(port("argocd_repo_server_metrics")),
                    "--redis", redis]
        kube = ["--kubeconfig", str(kubeconfig), "--namespace", NAMESPACE]
        if component == "argocd-application-controller":
            return [*common, *kube, "--redis", redis, "--repo-server", repo_server,
                    "--metrics-port", str(port("argocd_controller_metrics"))]
        if component == "argocd-applicationset-controller":
            return [*common, *kube, "--argocd-repo-server", repo_server,
                    "--metrics-addr", f"127.0.0.1:{port('argocd_appset_metrics')}",
                    "--probe-addr", f"127.0.0.1:{port('argocd_appset_probe')}",
                    "--webhook-addr", f"127.0.0.1:{port('argocd_appset_webhook')}"]
        raise ValueError(component)

    def _bootstrap(self):
        hub = api.AdminClient(self.hub)
        hub.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        for crd in sorted((config.upstream_dir("argo-cd") / "crds").glob("*-crd.yaml")):
            hub.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", yaml.safe_load(crd.read_text()))
        labels = {"app.kubernetes.io/part-of": "argocd"}
        for kind, name in (("ConfigMap", "argocd-cm"), ("Secret", "argocd-secret")):
            hub.create(f"/api/v1/namespaces/{NAMESPACE}/{kind.lower()}s", {
                "apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels}})

    def _env(self, component, kubeconfig):
        if component == "redis":
            return {}
        data = self.dir / "data"
        # KUBECONFIG too: the ApplicationSet controller reads it through controller-runtime, not --kubeconfig.
        env = {"ARGOCD_BINARY_NAME": COMPONENTS[component][0], "ARGOCD_FAKE_IN_CLUSTER": "true",
               "ARGOCD_GPG_ENABLED": "false", "KUBECONFIG": str(kubeconfig)}
        for name in ("tls", "ssh", "gpg/keys", "gpg/source"):
            (data / name).mkdir(parents=True, exist_ok=True)
        env.update(ARGOCD_TLS_DATA_PATH=str(data / "tls"), ARGOCD_SSH_DATA_PATH=str(data / "ssh"),
                   ARGOCD_GNUPGHOME=str(data / "gpg/keys"), ARGOCD_GPG_DATA_PATH=str(data / "gpg/source"))
        if component == "argocd-repo-server":  # Kustomize and Helm sources: both on its PATH, as in Argo CD's image
            env["PATH"] = os.pathsep.join([str(config.binary("kustomize").parent), str(config.binary("helm").parent),
                                           os.environ.get("PATH", "")])
        return env

    def up(self, timeout=60):
        """Start what is not running; wait until each component listens on its first port."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.release()
        config.GIT_DIR.mkdir(parents=True, exist_ok=True)
        kubeconfig = self._kubeconfig()
        self._bootstrap()
        for component in self.components:
            process.start(self._argv(component, kubeconfig), self._pid_file(component), self._log_file(component),
                          env=self._env(component, kubeconfig))
        deadline = time.monotonic() + timeout
        for component, (_name, ports) in COMPONENTS.items():
            while not _listening(self.spec.port(ports[0])):
                if not self.pid(component):
                    raise FleetError(f"{self.name}: {component} exited; see {self._log_file(component)}")
                if time.monotonic() > deadline:
                    raise FleetError(f"{self.name}: {component} does not listen after {timeout}s; "
                                     f"see {self._log_file(component)}")
                time.sleep(0.25)

    def status(self):
        return self.plane_status(self.name, f"redis 127.0.0.1:{self.spec.port('argocd_redis')}",
                                 config.VERSIONS["ARGOCD_VERSION"])
