# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clusters from the contexts of kubeconfig files (seed-style multi-context files, KUBECONFIG lists).

The files are parsed here (module_utils/kube/kubeconfig_files.py, kubectl's loading rules), not by the kubernetes
client: only context -> cluster -> server is needed, credentials are never read, and a 1,000-context file
parses in a fraction of a second. Each host's connection is the whole list of files and its context.
"""

import fnmatch
import os

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import kubeconfig_files
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import (
    ClusterInventoryError,
    each_cluster,
    make_cluster,
)


def read(spec, warn):
    paths = kubeconfig_files.files(spec.get("path"))
    merged = kubeconfig_files.merge(paths)
    patterns = spec.get("contexts") or ["*"]
    context_labels = spec.get("context_labels") or {}
    kubeconfig = os.pathsep.join(paths)

    def build(item):
        context_name, (context, path) = item
        if not any(fnmatch.fnmatchcase(context_name, p) for p in patterns):
            return None
        cluster_name = context.get("cluster")
        if cluster_name not in merged["clusters"]:
            raise ClusterInventoryError("it names cluster {0!r}, which is not in `clusters` of {1}".format(
                cluster_name, kubeconfig))
        cluster, cluster_path = merged["clusters"][cluster_name]
        server = cluster.get("server")
        if not server:
            raise ClusterInventoryError("clusters[{0!r}].cluster.server is missing in {1}".format(
                cluster_name, cluster_path))
        labels = {**(spec.get("labels") or {}), **(context_labels.get(context_name) or {})}
        return make_cluster(context_name, server, spec["name"], hub=spec.get("hub"), labels=labels,
                            connection={"kubeconfig": kubeconfig, "context": context_name},
                            details={"namespace": context.get("namespace")})

    return each_cluster(merged["contexts"].items(), build,
                        lambda item: "context {0!r} of {1}".format(item[0], item[1][1]), warn)
