# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open Cluster Management ManagedClusters. The hub holds no credentials for them: a host from this
source alone carries labels and server; merge it with a kubeconfig or static source to reach it."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import kube
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import api_object, each_cluster, make_cluster

PATH = "/apis/cluster.open-cluster-management.io/v1/managedclusters"


def read(spec, warn):
    client = kube.client_for(kube.source_connection(spec), what="OCM hub")

    def build(obj):
        metadata = obj.get("metadata", {})
        client_configs = (obj.get("spec") or {}).get("managedClusterClientConfigs") or [{}]
        conditions = (obj.get("status") or {}).get("conditions") or []
        available = any(c.get("type") == "ManagedClusterConditionAvailable" and c.get("status") == "True"
                        for c in conditions)
        labels = {**(spec.get("labels") or {}), **(metadata.get("labels") or {})}
        return make_cluster(metadata["name"], client_configs[0].get("url"), spec["name"],
                            hub=spec.get("hub"), labels=labels, annotations=metadata.get("annotations"),
                            details={"available": available})

    found = kube.list_items(client, PATH, spec.get("selector"), timeout=spec.get("timeout", 15))
    return each_cluster(found, build, api_object("ManagedCluster"), warn)
