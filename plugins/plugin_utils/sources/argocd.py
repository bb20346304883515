# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Argo CD hub and the clusters registered to it: its cluster Secrets, with their labels and annotations.

The hub is a host of its own (a default Argo CD install has no in-cluster Secret, yet plays need the hub), and
every cluster carries how to reach that hub, so a job slice without the hub host can still use it.
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import (
    IN_CLUSTER_SERVER,
    SECRET_TYPE_LABEL,
    parse_cluster_secret,
)
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import kube
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import api_object, each_cluster, make_cluster

DEFAULT_HUB_LABELS = {"role": "hub"}
# A hub read through the environment (an AWX credential) is reached the same way when its tasks run.
FROM_ENVIRONMENT = {"environment": "hub"}


def read(spec, warn):
    hub = kube.source_connection(spec)
    client = kube.client_for(hub)
    namespace = spec.get("namespace") or "argocd"
    selector = ",".join(s for s in ("{0}=cluster".format(SECRET_TYPE_LABEL), spec.get("selector")) if s)
    path = "/api/v1/namespaces/{0}/secrets".format(namespace)
    secrets = kube.list_items(client, path, selector, timeout=spec.get("timeout", 15))
    hub_name = spec.get("hub") or spec["name"]
    hub_connection = hub or FROM_ENVIRONMENT
    hub_labels = dict(DEFAULT_HUB_LABELS if spec.get("hub_labels") is None else spec["hub_labels"])

    def build(secret):
        cluster = parse_cluster_secret(secret)
        if not cluster["server"]:
            return None  # Argo CD ignores such Secrets too
        if cluster["server"] == IN_CLUSTER_SERVER:
            hub_labels.update(cluster["labels"])  # Argo CD's own cluster is the hub host
            return None
        details = {"namespace": namespace, "secret": cluster["secret_name"], "project": cluster["project"],
                   "shard": cluster["shard"], "namespaces": cluster["namespaces"],
                   "cluster_resources": cluster["cluster_resources"]}
        connection = {"secret": {"kind": "argocd", "hub": hub, "namespace": namespace, "name": cluster["secret_name"]}}
        labels = {**(spec.get("labels") or {}), **cluster["labels"]}
        return make_cluster(cluster["name"], cluster["server"], spec["name"], hub=hub_name, labels=labels,
                            annotations=cluster["annotations"], connection=connection, details=details,
                            hub_connection=hub_connection)

    clusters = each_cluster(secrets, build, api_object("cluster Secret"), warn)
    hub_host = make_cluster(hub_name, client.configuration.host, spec["name"], hub=hub_name, labels=hub_labels,
                            connection=hub_connection, details={"namespace": namespace, "argocd_hub": True})
    return [hub_host] + clusters
