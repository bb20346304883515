# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clusters listed in the inventory file itself, each reached with what its entry states."""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import kubeconfig_files
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import (
    ClusterInventoryError,
    each_cluster,
    make_cluster,
)

# The connection options an entry may state beside `server` (kubernetes.core's names).
HOST_OPTIONS = ("ca_cert", "validate_certs", "api_key", "client_cert", "client_key", "proxy")


def connection_of(entry):
    """`kubeconfig` (and `context`, by default its current context as kubectl picks it), else `server` with its
    CA and credential; {} when the entry states neither."""
    if entry.get("kubeconfig"):
        context = entry.get("context") or kubeconfig_files.merge(kubeconfig_files.files(entry["kubeconfig"]))[
            "current-context"]
        return {k: v for k, v in (("kubeconfig", entry["kubeconfig"]), ("context", context)) if v}
    if entry.get("server"):
        return dict({k: entry[k] for k in HOST_OPTIONS if entry.get(k) is not None}, host=entry["server"])
    return {}


def read(spec, warn):
    def build(item):
        index, entry = item
        if not isinstance(entry, dict) or not entry.get("name"):
            raise ClusterInventoryError("it needs a `name`")
        labels = {**(spec.get("labels") or {}), **(entry.get("labels") or {})}
        return make_cluster(entry["name"], entry.get("server"), spec["name"], hub=spec.get("hub"), labels=labels,
                            annotations=entry.get("annotations"), connection=connection_of(entry))

    return each_cluster(enumerate(spec.get("clusters") or []), build,
                        lambda item: "clusters[{0}]".format(item[0]), warn)
