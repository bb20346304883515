"""OPA Gatekeeper as a local process against one spoke, the way its manager runs in the cluster's pods.

One `gatekeeper` binary (built from the gatekeeper module) runs the webhook, audit, status and generate
operations that upstream splits over two Deployments. Its kube-apiserver reaches the webhook through the Service of the
gatekeeper role's install, which the role makes an ExternalName Service for `localhost` when
`gatekeeper_webhook_external` is set (kube-apiserver resolves ExternalName Services for webhooks, and the
TLS name it checks stays `gatekeeper-webhook-service.gatekeeper-system.svc`); Gatekeeper's own certificate
rotation issues that certificate into its Secret and writes its CA into the webhook configurations, as in a
cluster; the fleet copies the Secret into the manager's certificate folder, which the kubelet's Secret volume
does in a pod.

The manager exits without its CRDs, and its certificate rotation waits for the webhook configurations, so
before it starts the spoke gets those, the namespace, the certificate Secret and the Service from the
upstream manifest at the built version, as the role installs them with `gatekeeper_webhook_external`, each
created only where missing: the role's later apply takes them over. The webhook port is written to
`<cluster>/gatekeeper/webhook.json` for the local inventory to read.
"""

import base64
import json
import os
import time
import urllib.error
import urllib.request

import yaml

from . import api, config, process
from .cluster import FleetError, LocalCluster

NAMESPACE = "gatekeeper-system"
# Audit runs every 5 s here (the role's default is upstream's 60 s) so tests see violations without waiting;
# FLEET_GATEKEEPER_AUDIT_INTERVAL changes it (benchmarks of many spokes, where 5 s audits load the cores).
AUDIT_INTERVAL = int(os.environ.get("FLEET_GATEKEEPER_AUDIT_INTERVAL", "5"))
# What the manager needs before it starts, in order, with the collection path each kind is created at.
BOOTSTRAP = {
    "Namespace": "/api/v1/namespaces",
    "CustomResourceDefinition": "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "Secret": f"/api/v1/namespaces/{NAMESPACE}/secrets",
    "Service": f"/api/v1/namespaces/{NAMESPACE}/services",
    "ValidatingWebhookConfiguration": "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
    "MutatingWebhookConfiguration": "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
}


class Gatekeeper(process.ProcessGroup):
    """Gatekeeper's manager beside one cluster of the fleet (which must be up)."""

    components = ("gatekeeper",)

    def __init__(self, spec):
        self.spec = spec
        self.dir = spec.directory / "gatekeeper"

    @property
    def pod_name(self):
        return f"gatekeeper-{self.spec.name}"

    def _binary(self, component):
        return config.binary("gatekeeper")

    def _argv(self, kubeconfig):
        port = self.spec.port
        return [config.binary("gatekeeper"), f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
                f"--port={port('gatekeeper_webhook')}", f"--health-addr=127.0.0.1:{port('gatekeeper_health')}",
                f"--prometheus-port={port('gatekeeper_metrics')}", f"--cert-dir={self.dir / 'certs'}",
                f"--api-cache-dir={self.dir / 'audit'}",
                f"--exempt-namespace={NAMESPACE}", "--operation=webhook", "--operation=mutation-webhook",
                "--operation=audit", "--operation=status", "--operation=mutation-status", "--operation=generate",
                "--disable-opa-builtin={http.send}", f"--audit-interval={AUDIT_INTERVAL}", "--shutdown-delay=0",
                "--log-level=INFO"]

    def _bootstrap(self, client):
        manifest = config.upstream_dir("gatekeeper") / "gatekeeper.yaml"
        docs = [d for d in yaml.safe_load_all(manifest.read_text()) if d and d["kind"] in BOOTSTRAP]
        port = self.spec.port("gatekeeper_webhook")
        for doc in sorted(docs, key=lambda d: list(BOOTSTRAP).index(d["kind"])):
            if doc["kind"] == "Service":
                doc["spec"] = {"type": "ExternalName", "externalName": "localhost",
                               "ports": [{"name": "https-webhook-server", "port": port}]}
            for webhook in doc.get("webhooks", ()):
                webhook["clientConfig"]["service"]["port"] = port
            client.create(BOOTSTRAP[doc["kind"]], doc)
        # Gatekeeper owns its status objects by the Pod POD_NAME names: a Pod object stands for this process
        # (KWOK runs it on a node; no label of upstream's Deployments, so none of their ReplicaSets adopts it).
        client.create(f"/api/v1/namespaces/{NAMESPACE}/pods", {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": self.pod_name, "namespace": NAMESPACE,
                         "labels": {"app.kubernetes.io/name": "gatekeeper-local-process"}},
            "spec": {"containers": [{"name": "manager", "image": "localfleet/gatekeeper", "securityContext": {
                # the namespace enforces the restricted Pod Security profile, as upstream labels it
                "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True,
                "seccompProfile": {"type": "RuntimeDefault"}}}]}})

    def up(self, timeout=60):
        """Start the manager unless it runs; wait until it is ready (its webhook serves TLS)."""
        (self.dir / "audit").mkdir(parents=True, exist_ok=True)  # audit's scratch folder, an emptyDir in a pod
        self.release()
        client = api.AdminClient(self.spec)
        self._bootstrap(client)
        (self.dir / "webhook.json").write_text(json.dumps({"port": self.spec.port("gatekeeper_webhook")}) + "\n")
        kubeconfig = LocalCluster(self.spec)._kubeconfig("admin")  # pylint: disable=protected-access
        env = {"POD_NAMESPACE": NAMESPACE, "POD_NAME": self.pod_name, "NAMESPACE": NAMESPACE,
               "CONTAINER_NAME": "manager"}
        process.start(self._argv(kubeconfig), self._pid_file("gatekeeper"), self._log_file("gatekeeper"), env=env)
        deadline = time.monotonic() + timeout
        while not (self._mount_certs(client) and self._healthy()):
            if not self.pid("gatekeeper"):
                tail = "\n".join(self._log_file("gatekeeper").read_text(errors="replace").splitlines()[-5:])
                raise FleetError(f"gatekeeper on {self.spec.name} exited; the end of "
                                 f"{self._log_file('gatekeeper')}:\n{tail}")
            if time.monotonic() > deadline:
                raise FleetError(f"gatekeeper on {self.spec.name} is not healthy after {timeout}s; "
                                 f"see {self._log_file('gatekeeper')}")
            time.sleep(0.25)

    def _mount_certs(self, client):
        """Write the rotator's certificate files as a Secret volume would (again when the Secret changed, as
        after the namespace was deleted and made anew); True once they are there."""
        path = f"/api/v1/namespaces/{NAMESPACE}/secrets/gatekeeper-webhook-server-cert"
        data = client.request("GET", path).get("data") or {}
        if not {"tls.crt", "tls.key", "ca.crt"} <= set(data):
            return False
        certs = self.dir / "certs"
        certs.mkdir(mode=0o700, exist_ok=True)
        for name in ("ca.crt", "tls.crt", "tls.key"):
            content = base64.b64decode(data[name])
            if not (certs / name).exists() or (certs / name).read_bytes() != content:
                (certs / name).write_bytes(content)
        return True

    def _healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.spec.port('gatekeeper_health')}/readyz",
                                        timeout=1) as resp:
                return resp.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def status(self):
        return self.plane_status(f"gatekeeper@{self.spec.name}",
                                 f"webhook 127.0.0.1:{self.spec.port('gatekeeper_webhook')}",
                                 config.VERSIONS["GATEKEEPER_VERSION"])
