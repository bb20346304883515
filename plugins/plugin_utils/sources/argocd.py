# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clusters registered to an Argo CD hub: its cluster Secrets, with their labels and annotations."""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd_cluster_secret import (
    IN_CLUSTER_SERVER,
    SECRET_TYPE_LABEL,
    parse_cluster_secret,
)
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import kube
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import make_cluster


def read(spec):
    client = kube.client_for(spec.get("kubeconfig"), spec.get("context"))
    namespace = spec.get("namespace") or "argocd"
    selector = ",".join(s for s in ("{0}=cluster".format(SECRET_TYPE_LABEL), spec.get("selector")) if s)
    path = "/api/v1/namespaces/{0}/secrets".format(namespace)
    secrets = kube.list_items(client, path, selector, timeout=spec.get("timeout", 15))
    hub_connection = {"kubeconfig": spec.get("kubeconfig"), "context": spec.get("context")}
    clusters = []
    for secret in secrets:
        cluster = parse_cluster_secret(secret)
        if not cluster["server"]:
            continue  # Argo CD ignores such Secrets too
        details = {"namespace": namespace, "secret": cluster["secret_name"], "project": cluster["project"],
                   "shard": cluster["shard"], "namespaces": cluster["namespaces"],
                   "cluster_resources": cluster["cluster_resources"]}
        if cluster["server"] == IN_CLUSTER_SERVER:
            # Argo CD's own cluster: the hub itself, reached the way the inventory reaches the hub.
            server, connection = client.configuration.host, {k: v for k, v in hub_connection.items() if v}
        else:
            server = cluster["server"]
            connection = {"secret": {"kind": "argocd", "hub": hub_connection, "namespace": namespace,
                                     "name": cluster["secret_name"]}}
        labels = dict(spec.get("labels") or {}, **cluster["labels"])
        clusters.append(make_cluster(cluster["name"], server, spec["name"], hub=spec.get("hub"), labels=labels,
                                     annotations=cluster["annotations"], connection=connection, details=details))
    return clusters
