"""One local cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and a KWOK controller."""

import socket
import time

import yaml

from . import api, config, pki, process

COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
# A lean cluster (docs/benchmarks.md, "Lean local clusters"): Go's soft memory limit for each component, so its
# garbage collector keeps the heap near what it needs, and kube-controller-manager without the controllers of
# storage, cloud, certificate signing and autoscaling, which no fleet test uses.
MEMORY_LIMITS = {"etcd": "48MiB", "kube-apiserver": "512MiB", "kube-controller-manager": "48MiB",
                 "kube-scheduler": "32MiB", "kwok": "32MiB"}
UNUSED_CONTROLLERS = (
    "certificatesigningrequest-approving-controller", "certificatesigningrequest-cleaner-controller",
    "certificatesigningrequest-signing-controller", "cloud-node-lifecycle-controller", "device-taint-eviction-controller",
    "ephemeral-volume-controller", "horizontal-pod-autoscaler-controller", "node-route-controller",
    "persistentvolume-attach-detach-controller", "persistentvolume-binder-controller",
    "persistentvolume-expander-controller", "persistentvolume-protection-controller",
    "persistentvolumeclaim-protection-controller", "podcertificaterequest-cleaner-controller",
    "resourceclaim-controller", "resourcepoolstatusrequest-controller", "service-lb-controller",
    "storage-version-migrator-controller", "storageversion-garbage-collector-controller",
    "volumeattributesclass-protection-controller", "legacy-serviceaccount-token-cleaner-controller",
    "kube-apiserver-serving-clustertrustbundle-publisher-controller")
PORTS = {"etcd": ("etcd", "etcd_peer"), "kube-apiserver": ("apiserver",),
         "kube-controller-manager": ("controller_manager",), "kube-scheduler": ("scheduler",), "kwok": ("kwok",)}


def _port_taken(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class FleetError(RuntimeError):
    """A cluster did not come up; the message names the cluster and the log to read."""


class LocalCluster(process.ProcessGroup):
    components = COMPONENTS
    ports = PORTS

    def __init__(self, spec: config.ClusterSpec):
        self.spec = spec
        self.dir = spec.directory
        self.pki = self.dir / "pki"

    # -- files -------------------------------------------------------------------------------
    def _kubeconfig(self, identity):
        """A kubeconfig for one of the cluster's client identities, written next to its certs (again on every
        start: the server URL follows FLEET_PORT_BASE)."""
        path = self.dir / f"{identity}.kubeconfig"
        user = f"{self.spec.name}-{identity}"
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": self.spec.name, "cluster": {
                "server": self.spec.server, "certificate-authority": str(self.pki / "ca.crt")}}],
            "users": [{"name": user, "user": {
                "client-certificate": str(self.pki / f"{identity}.crt"),
                "client-key": str(self.pki / f"{identity}.key")}}],
            "contexts": [{"name": self.spec.name, "context": {"cluster": self.spec.name, "user": user}}],
            "current-context": self.spec.name,
        }
        path.write_text(yaml.safe_dump(doc))
        return path

    def _control_loop_flags(self, identity):
        """Flags controller-manager and scheduler share: their identity, loopback serving, no leader election."""
        kubeconfig = self._kubeconfig(identity)
        port = self.spec.port(identity.replace("-", "_"))
        return [
            f"--kubeconfig={kubeconfig}", f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--bind-address=127.0.0.1", f"--secure-port={port}", "--leader-elect=false",
        ]

    def _argv(self, component):
        s, p = self.spec, self.pki
        if component == "etcd":
            peer = f"http://127.0.0.1:{s.port('etcd_peer')}"
            client = f"http://127.0.0.1:{s.port('etcd')}"
            return [
                config.binary("etcd"), f"--name={s.name}", f"--data-dir={self.dir / 'etcd'}",
                f"--listen-client-urls={client}", f"--advertise-client-urls={client}",
                f"--listen-peer-urls={peer}", f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster={s.name}={peer}", "--unsafe-no-fsync=true", "--log-level=warn",
                "--quota-backend-bytes=2147483648",
            ]
        if component == "kube-apiserver":
            return [
                config.binary("kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{s.port('etcd')}",
                "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={s.port('apiserver')}",
                # The endpoint reconciler refuses loopback addresses; nothing here needs the Endpoints.
                "--endpoint-reconciler-type=none",
                f"--tls-cert-file={p / 'apiserver.crt'}", f"--tls-private-key-file={p / 'apiserver.key'}",
                f"--client-ca-file={p / 'ca.crt'}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={p / 'sa.pub'}", f"--service-account-signing-key-file={p / 'sa.key'}",
                f"--service-cluster-ip-range={s.service_cidr}",
                "--authorization-mode=RBAC", "--allow-privileged=true", "--profiling=false",
                "--enable-priority-and-fairness=false",
                # Aggregation layer (Karmada's aggregated API server is served through it).
                f"--requestheader-client-ca-file={p / 'front-proxy-ca.crt'}",
                "--requestheader-allowed-names=front-proxy-client",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-username-headers=X-Remote-User",
                f"--proxy-client-cert-file={p / 'front-proxy-client.crt'}",
                f"--proxy-client-key-file={p / 'front-proxy-client.key'}",
            ]
        if component == "kube-controller-manager":
            return [
                config.binary("kube-controller-manager"), *self._control_loop_flags("controller-manager"),
                "--controllers=*," + ",".join("-" + name for name in UNUSED_CONTROLLERS),
                # Fills kubernetes.io/service-account-token Secrets (argocd-manager, karmada tokens).
                f"--service-account-private-key-file={p / 'sa.key'}", f"--root-ca-file={p / 'ca.crt'}",
                "--use-service-account-credentials=true",
                f"--cluster-signing-cert-file={p / 'ca.crt'}", f"--cluster-signing-key-file={p / 'ca.key'}",
                # Node IPAM gives every node spec.podCIDRs: the pod range a CIDR preflight can read.
                "--allocate-node-cidrs=true", f"--cluster-cidr={s.pod_cidr}", "--node-cidr-mask-size=24",
                f"--service-cluster-ip-range={s.service_cidr}",
            ]
        if component == "kube-scheduler":
            return [config.binary("kube-scheduler"), *self._control_loop_flags("scheduler")]
        if component == "kwok":
            return [
                config.binary("kwok"), f"--kubeconfig={self._kubeconfig('kwok')}",
                f"--config={config.binary('stages.yaml')}",
                "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                f"--cidr={s.pod_cidr}", "--node-ip=127.0.0.1", "--node-lease-duration-seconds=40",
                f"--server-address=127.0.0.1:{s.port('kwok')}",
            ]
        raise ValueError(component)

    def _binary(self, component):
        return config.binary(component)

    # -- lifecycle ---------------------------------------------------------------------------
    def up(self, timeout=120):
        """Start whatever is not running and wait until the cluster serves and its nodes are Ready."""
        self.spec.save()
        self.release()
        pki.ensure_pki(self.pki, self.spec.name, self.spec.service_ip)
        client = api.AdminClient(self.spec)
        for component in self.components:  # pid files of processes that died with the machine or a kill -9
            if not self.pid(component):
                self._pid_file(component).unlink(missing_ok=True)
        for component in self.components:
            if not self.pid(component):
                self._check_ports_free(component)
            process.start(self._argv(component), self._pid_file(component), self._log_file(component),
                          env={"GOMEMLIMIT": MEMORY_LIMITS[component]} if component in MEMORY_LIMITS else None)
            if component == "kube-apiserver":
                self._wait(client.ready, "kube-apiserver /readyz", timeout)
                self._bootstrap(client)
        self._settle(client, timeout)

    def _bootstrap(self, client):
        """Objects the later components need before they start (a cluster needs none)."""

    def _settle(self, client, timeout):
        """Wait until the cluster is usable: its KWOK nodes are Ready."""
        self._ensure_nodes(client)
        self._wait(lambda: self._nodes_ready(client) >= config.NODES_PER_CLUSTER, "KWOK nodes Ready", timeout)

    def _check_ports_free(self, component):
        for name in self.ports[component]:
            port = self.spec.port(name)
            if _port_taken(port):
                raise FleetError(
                    f"{self.spec.name}: port {port} for {component} is in use by another process (a fleet of "
                    f"another checkout? stop it, or set FLEET_PORT_BASE to another range)")

    def _wait(self, check, what, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            for component in self.components:
                if self._pid_file(component).exists() and not self.pid(component):
                    raise FleetError(f"{self.spec.name}: {component} exited; see {self._log_file(component)}")
            time.sleep(0.25)
        raise FleetError(f"{self.spec.name}: timed out after {timeout}s waiting for {what}; logs in {self.dir / 'logs'}")

    def _ensure_nodes(self, client):
        for i in range(config.NODES_PER_CLUSTER):
            name = f"kwok-node-{i}"
            client.create("/api/v1/nodes", {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                    "labels": {
                        "type": "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": "amd64", "node-role.kubernetes.io/worker": "",
                        "topology.kubernetes.io/zone": f"{self.spec.name}-zone-{i % 2}",
                    },
                },
                # ephemeral-storage as a kubelet reports its disk: upstream manifests limit it (Argo Rollouts' 1Gi),
                # and a node without it fits no such pod.
                "status": {
                    "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "100Gi"},
                    "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "100Gi"},
                },
            })

    @staticmethod
    def _nodes_ready(client):
        try:
            return sum(1 for n in client.nodes() if api.node_ready(n))
        except OSError:
            return 0

    # -- inspection --------------------------------------------------------------------------
    def status(self):
        """One row of fleet-status: server, version, nodes Ready, up/down, memory."""
        pids = {c: self.pid(c) for c in self.components}
        row = {"cluster": self.spec.name, "server": self.spec.server, "version": "-", "nodes_ready": "-",
               "state": "down", "rss_mib": sum(process.rss_bytes(p) for p in pids.values() if p) // 2**20,
               "service_cidr": self.spec.service_cidr, "pod_cidr": self.spec.pod_cidr}
        if all(pids.values()) and self.pki.exists():
            client = api.AdminClient(self.spec, timeout=2)
            if client.ready():
                row["state"] = "up"
                row["version"] = client.version()
                nodes = client.nodes()
                row["nodes_ready"] = f"{sum(1 for n in nodes if api.node_ready(n))}/{len(nodes)}"
        elif any(pids.values()):
            row["state"] = "partial"
        elif self.held():
            row["state"] = "stopped"  # by fleet-stop, until fleet-start
        return row
