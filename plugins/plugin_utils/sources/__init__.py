# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where clusters come from: one module per source type, registered here by its `type`.

Each source module has `read(spec, warn) -> [cluster record]` (plugin_utils/cluster.make_cluster): it raises
a ClusterError (ClusterInventoryError, a kubeconfig's KubeconfigError) for a source it cannot read at all, and
skips an item it cannot make a cluster of, warning (plugin_utils/cluster.each_cluster). A new source is one file and one line below.
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.sources import (
    argocd,
    capi,
    karmada,
    kubeconfig,
    ocm,
    static,
)

READERS = {"kubeconfig": kubeconfig.read, "argocd": argocd.read, "karmada": karmada.read,
           "capi": capi.read, "ocm": ocm.read, "static": static.read}


def read_sources(sources, timeout):
    """Read every source concurrently. Returns (clusters in source order, {source name: error}, [warnings])."""
    warnings = []

    def read_one(spec):
        def warn(message):
            warnings.append("source {0}: {1}".format(spec["name"], message))
        try:
            return READERS[spec["type"]](dict(spec, timeout=timeout), warn), None
        except ClusterError as err:
            return [], str(err)

    with ThreadPoolExecutor(max_workers=min(8, len(sources))) as pool:
        results = list(pool.map(read_one, sources))
    clusters = [c for found, _err in results for c in found]
    errors = {spec["name"]: err for spec, (_found, err) in zip(sources, results) if err}
    return clusters, errors, warnings
