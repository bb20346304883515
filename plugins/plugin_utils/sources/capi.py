# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workload clusters of a Cluster API management cluster; credentials from `<name>-kubeconfig` Secrets."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import kube
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import api_object, each_cluster, make_cluster

API = "/apis/cluster.x-k8s.io/v1beta2"


def _server(endpoint):
    if not endpoint or not endpoint.get("host"):
        return None
    return "https://{0}:{1}".format(endpoint["host"], endpoint.get("port") or 6443)


def read(spec, warn):
    hub_connection = kube.source_connection(spec)
    client = kube.client_for(hub_connection, what="Cluster API management cluster")
    namespace = spec.get("namespace")
    path = "{0}/namespaces/{1}/clusters".format(API, namespace) if namespace else API + "/clusters"

    def build(obj):
        metadata = obj.get("metadata", {})
        cluster_spec = obj.get("spec") or {}
        connection = {"secret": {"kind": "capi", "hub": hub_connection, "namespace": metadata.get("namespace"),
                                 "name": "{0}-kubeconfig".format(metadata["name"])}}
        details = {"namespace": metadata.get("namespace"), "phase": (obj.get("status") or {}).get("phase"),
                   "paused": bool(cluster_spec.get("paused"))}
        labels = {**(spec.get("labels") or {}), **(metadata.get("labels") or {})}
        return make_cluster(metadata["name"], _server(cluster_spec.get("controlPlaneEndpoint")), spec["name"],
                            hub=spec.get("hub"), labels=labels, annotations=metadata.get("annotations"),
                            connection=connection, details=details)

    found = kube.list_items(client, path, spec.get("selector"), timeout=spec.get("timeout", 15))
    return each_cluster(found, build, api_object("Cluster"), warn)
