# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ranges a Submariner broker knows for the clusters already joined, so a preflight sees them under --limit.

Two records: the submariner.io/v1 Cluster objects Submariner's gateways sync into the broker namespace
(spec.cluster_id, cluster_cidr, service_cidr), and, written by the submariner_join role at join time, the
RANGES annotations on each member's ServiceAccount there (the gateways that sync Clusters need a data plane,
which not every fleet runs yet). Submariner's own record wins where both exist.
"""

POD_ANNOTATION = "multicluster.hubspoke.io/pod-cidrs"
SERVICE_ANNOTATION = "multicluster.hubspoke.io/service-cidrs"
CLUSTER_ID_LABEL = "submariner.io/cluster-id"


def _split(text):
    return [cidr.strip() for cidr in (text or "").split(",") if cidr.strip()]


def recorded_networks(service_accounts, clusters, skip=()):
    """{'<cluster id> (joined)': {pod_cidrs, service_cidrs}} for every member the broker records but `skip`
    (the cluster IDs of the play, whose ranges are read live)."""
    found = {}
    for account in service_accounts or []:
        metadata = account.get("metadata") or {}
        cluster_id = (metadata.get("labels") or {}).get(CLUSTER_ID_LABEL)
        annotations = metadata.get("annotations") or {}
        if cluster_id and (POD_ANNOTATION in annotations or SERVICE_ANNOTATION in annotations):
            found[cluster_id] = {"pod_cidrs": _split(annotations.get(POD_ANNOTATION)),
                                 "service_cidrs": _split(annotations.get(SERVICE_ANNOTATION))}
    for cluster in clusters or []:
        spec = cluster.get("spec") or {}
        if spec.get("cluster_id"):
            found[spec["cluster_id"]] = {"pod_cidrs": list(spec.get("cluster_cidr") or []),
                                         "service_cidrs": list(spec.get("service_cidr") or [])}
    return {"{0} (joined)".format(cluster_id): ranges for cluster_id, ranges in sorted(found.items())
            if cluster_id not in set(skip or ())}
