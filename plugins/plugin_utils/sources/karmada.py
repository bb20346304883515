# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Member clusters of a Karmada control plane (cluster.karmada.io/v1alpha1 Cluster objects)."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import kube
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import api_object, each_cluster, make_cluster

PATH = "/apis/cluster.karmada.io/v1alpha1/clusters"


def _ready(obj):
    conditions = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def read(spec, warn):
    hub_connection = kube.source_connection(spec)
    client = kube.client_for(hub_connection, what="Karmada API")

    def build(obj):
        cluster_spec = obj.get("spec") or {}
        secret_ref = cluster_spec.get("secretRef")
        connection = {}
        if secret_ref:  # Push mode: the control plane holds a token for the member
            connection = {"secret": {"kind": "karmada", "hub": hub_connection,
                                     "namespace": secret_ref.get("namespace"), "name": secret_ref.get("name"),
                                     "server": cluster_spec.get("apiEndpoint"),
                                     "insecure": bool(cluster_spec.get("insecureSkipTLSVerification"))}}
        details = {"sync_mode": cluster_spec.get("syncMode"), "ready": _ready(obj),
                   "provider": cluster_spec.get("provider"), "region": cluster_spec.get("region"),
                   "zones": cluster_spec.get("zones") or []}
        metadata = obj.get("metadata", {})
        labels = {**(spec.get("labels") or {}), **(metadata.get("labels") or {})}
        return make_cluster(metadata["name"], cluster_spec.get("apiEndpoint"), spec["name"],
                            hub=spec.get("hub"), labels=labels, annotations=metadata.get("annotations"),
                            connection=connection, details=details)

    found = kube.list_items(client, PATH, spec.get("selector"), timeout=spec.get("timeout", 15))
    return each_cluster(found, build, api_object("Cluster"), warn)
