"""Karmada's control plane as local processes, the way its own install runs it in pods.

Its API server is a kube-apiserver with an etcd of its own (plus kube-controller-manager for namespaces,
garbage collection and token Secrets), and beside it karmada-aggregated-apiserver (the cluster.karmada.io
API, reached through an APIService whose ExternalName Service points at loopback), karmada-webhook (its
configurations name loopback URLs), karmada-controller-manager and karmada-scheduler. Prior art:
ikaven1024/karmada-mac. The CRDs and webhook configuration come from the karmada module, through upstream/.
"""

import base64
import urllib.error

import yaml

from . import config, pki
from .cluster import LocalCluster

SERVING_CERT = "karmada-serving"
AGGREGATED_SERVICE = ("karmada-system", "karmada-aggregated-apiserver")


class KarmadaPlane(LocalCluster):
    components = ("etcd", "kube-apiserver", "kube-controller-manager", "karmada-aggregated-apiserver",
                  "karmada-webhook", "karmada-controller-manager", "karmada-scheduler")
    ports = {
        "etcd": ("etcd", "etcd_peer"), "kube-apiserver": ("apiserver",),
        "kube-controller-manager": ("controller_manager",),
        "karmada-aggregated-apiserver": ("karmada_aggregated",),
        "karmada-webhook": ("karmada_webhook", "karmada_webhook_health", "karmada_webhook_metrics"),
        "karmada-controller-manager": ("karmada_controller_manager_health", "karmada_controller_manager_metrics"),
        "karmada-scheduler": ("karmada_scheduler_health", "karmada_scheduler_metrics"),
    }

    def __init__(self):
        super().__init__(config.karmada_spec())

    def _argv(self, component):
        if not component.startswith("karmada-"):
            return super()._argv(component)
        s, p = self.spec, self.pki
        kubeconfig = self._kubeconfig("admin")
        common = [config.binary(component), f"--kubeconfig={kubeconfig}", "--v=2"]
        if component == "karmada-aggregated-apiserver":
            return [
                *common, f"--authentication-kubeconfig={kubeconfig}", f"--authorization-kubeconfig={kubeconfig}",
                f"--etcd-servers=http://127.0.0.1:{s.port('etcd')}",
                "--bind-address=127.0.0.1", f"--secure-port={s.port('karmada_aggregated')}",
                f"--tls-cert-file={p / (SERVING_CERT + '.crt')}",
                f"--tls-private-key-file={p / (SERVING_CERT + '.key')}",
                "--feature-gates=AllAlpha=false,AllBeta=true",
            ]
        if component == "karmada-webhook":
            return [
                *common, "--bind-address=127.0.0.1", f"--secure-port={s.port('karmada_webhook')}",
                f"--cert-dir={p}", f"--tls-cert-file-name={SERVING_CERT}.crt",
                f"--tls-private-key-file-name={SERVING_CERT}.key",
                f"--health-probe-bind-address=127.0.0.1:{s.port('karmada_webhook_health')}",
                f"--metrics-bind-address=127.0.0.1:{s.port('karmada_webhook_metrics')}",
            ]
        if component == "karmada-controller-manager":
            return [
                *common, "--cluster-status-update-frequency=5s", "--leader-elect=false",
                f"--health-probe-bind-address=127.0.0.1:{s.port('karmada_controller_manager_health')}",
                f"--metrics-bind-address=127.0.0.1:{s.port('karmada_controller_manager_metrics')}",
            ]
        if component == "karmada-scheduler":
            return [
                *common, "--leader-elect=false", "--enable-scheduler-estimator=false",
                f"--health-probe-bind-address=127.0.0.1:{s.port('karmada_scheduler_health')}",
                f"--metrics-bind-address=127.0.0.1:{s.port('karmada_scheduler_metrics')}",
            ]
        raise ValueError(component)

    def _bootstrap(self, client):
        """CRDs, the APIService of cluster.karmada.io and the webhook configurations, before Karmada starts.
        Applied (not only created) on every start: they carry ports, which follow FLEET_PORT_BASE."""
        pki.ensure_serving_cert(self.pki, SERVING_CERT,
                                ["localhost", f"{AGGREGATED_SERVICE[1]}.{AGGREGATED_SERVICE[0]}.svc"])
        ca_bundle = base64.b64encode((self.pki / "ca.crt").read_bytes()).decode()
        karmada = config.upstream_dir("karmada")
        for crd in sorted((karmada / "crds").rglob("*.yaml")):
            for doc in yaml.safe_load_all(crd.read_text()):
                if doc and doc.get("kind") == "CustomResourceDefinition":
                    client.apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", doc)
        namespace, name = AGGREGATED_SERVICE
        client.apply("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        client.apply(f"/api/v1/namespaces/{namespace}/services", {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
            "spec": {"type": "ExternalName", "externalName": "localhost"}})
        client.apply("/apis/apiregistration.k8s.io/v1/apiservices", {
            "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": "v1alpha1.cluster.karmada.io"},
            "spec": {"group": "cluster.karmada.io", "version": "v1alpha1", "caBundle": ca_bundle,
                     "groupPriorityMinimum": 2000, "versionPriority": 10,
                     "service": {"namespace": namespace, "name": name,
                                 "port": self.spec.port("karmada_aggregated")}}})
        webhook_url = f"https://127.0.0.1:{self.spec.port('karmada_webhook')}"
        text = (karmada / "webhook-configuration.yaml").read_text()
        text = text.replace("https://karmada-webhook.karmada-system.svc:443", webhook_url)
        for doc in yaml.safe_load_all(text.replace("{{caBundle}}", ca_bundle)):
            if doc:
                plural = doc["kind"].lower() + "s"
                client.apply(f"/apis/admissionregistration.k8s.io/v1/{plural}", doc)

    def _settle(self, client, timeout):
        """Karmada is usable once the aggregated API answers (the other components start in seconds)."""
        def clusters_api():
            try:
                return "items" in client.request("GET", "/apis/cluster.karmada.io/v1alpha1/clusters")
            except (OSError, urllib.error.URLError):
                return False
        self._wait(clusters_api, "the cluster.karmada.io API", timeout)
