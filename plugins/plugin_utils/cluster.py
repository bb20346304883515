# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cluster as every inventory source reports it, and the rules for merging and naming them.

A cluster record is a plain dict (so it caches as JSON):
  name, server, source, hub, labels, annotations, connection, hub_connection, details
`connection` says how tasks reach the cluster without carrying a secret: a connection as stated in the
inventory (a kubeconfig path and context, or a server with its CA and a token reference), a reference to a
credential Secret that the cluster_kubeconfig lookup reads at task time ({"secret": ...}), or the environment
({"environment": "hub"}: a hub read through an AWX credential). `hub_connection` is its hub's, the same way.
"""

import re
from urllib.parse import urlsplit

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError

HOSTNAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class ClusterInventoryError(ClusterError):
    """A user error in the inventory: the message says which source, file or key."""


def make_cluster(name, server, source, hub=None, labels=None, annotations=None, connection=None, details=None,
                 hub_connection=None):
    return {
        "name": name,
        "server": server.rstrip("/") if server else server,
        "source": source,
        "hub": hub,
        "labels": dict(labels or {}),
        "annotations": dict(annotations or {}),
        "connection": connection or {},
        "hub_connection": hub_connection or {},
        "details": details or {},
    }


def normalize_server(server):
    """The identity of an API endpoint: scheme and host lower-cased, default port and trailing / dropped."""
    if not server:
        return None
    parts = urlsplit(server.strip())
    scheme = (parts.scheme or "https").lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = "[{0}]".format(host)
    port = parts.port
    default = 443 if scheme == "https" else 80
    netloc = host if port in (None, default) else "{0}:{1}".format(host, port)
    return "{0}://{1}{2}".format(scheme, netloc, parts.path.rstrip("/"))


def merge_clusters(records):
    """One record per API server, in source order; labels merge, a conflicting value is reported.

    Returns (clusters, conflicts). The first source to report a label keeps its value; every
    conflict is returned as a message so the plugin can warn (or fail with strict).
    """
    merged = {}
    conflicts = []
    for record in records:
        key = normalize_server(record["server"]) or "{0}/{1}".format(record["source"], record["name"])
        if key not in merged:
            merged[key] = dict(record, sources=[record["source"]], labels=dict(record["labels"]),
                               annotations=dict(record["annotations"]), label_conflicts=[])
            continue
        kept = merged[key]
        kept["sources"].append(record["source"])
        for field in ("labels", "annotations"):
            for label, value in record[field].items():
                if label not in kept[field]:
                    kept[field][label] = value
                elif kept[field][label] != value:
                    conflict = "cluster {0}: {1} {2!r} is {3!r} in source {4} but {5!r} in source {6}; keeping {3!r}".format(
                        key, field[:-1], label, kept[field][label], kept["source"], value, record["source"])
                    kept["label_conflicts"].append(conflict)
                    conflicts.append(conflict)
        # A source that knows how to reach the cluster fills in one that does not (OCM, Karmada Pull).
        for field in ("connection", "hub_connection", "hub"):
            if not kept.get(field) and record.get(field):
                kept[field] = record[field]
    return list(merged.values()), conflicts


def sanitize_hostname(name):
    return HOSTNAME_UNSAFE.sub("_", name)


def assign_hostnames(clusters, name_of):
    """Map hostname -> cluster, failing clearly when two different clusters would share a name."""
    hosts = {}
    for cluster in clusters:
        hostname = sanitize_hostname(name_of(cluster))
        if not hostname:
            raise ClusterInventoryError("cluster {0} from source {1} has an empty host name".format(
                cluster["server"], cluster["source"]))
        if hostname in hosts:
            other = hosts[hostname]
            raise ClusterInventoryError(
                "host name {0!r} is used by two clusters: {1} (source {2}) and {3} (source {4}); "
                "set the `hostname` option to something unique, for example a label or "
                "\"name ~ '-' ~ source\"".format(hostname, other["server"], other["source"],
                                                 cluster["server"], cluster["source"]))
        hosts[hostname] = cluster
    return hosts
