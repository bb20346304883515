# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clusters listed in the inventory file itself."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import (
    ClusterInventoryError,
    make_cluster,
)


def read(spec):
    clusters = []
    for index, entry in enumerate(spec.get("clusters") or []):
        if not isinstance(entry, dict) or not entry.get("name"):
            raise ClusterInventoryError("source {0}: clusters[{1}] needs a `name`".format(spec["name"], index))
        connection = {k: entry[k] for k in ("kubeconfig", "context") if entry.get(k)}
        labels = dict(spec.get("labels") or {}, **(entry.get("labels") or {}))
        clusters.append(make_cluster(entry["name"], entry.get("server"), spec["name"], hub=spec.get("hub"),
                                     labels=labels, annotations=entry.get("annotations"), connection=connection))
    return clusters
