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


def _kind_of(value):
    """What a YAML value is, in words (Ansible wraps YAML's values in types of its own)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return "a " + type(value).__name__.lstrip("_")


def _checked(cluster, field, pairs):
    """Labels and annotations as Kubernetes has them, strings to strings; anything else is refused by name (YAML
    makes `1: x` an integer key and `version: 1.30` the float 1.3, which no group name could mean)."""
    for key, value in (pairs or {}).items():
        if not isinstance(key, str):
            raise ClusterInventoryError("cluster {0}: {1} key {2!r} is not a string (it is {3}): quote it".format(
                cluster, field, key, _kind_of(key)))
        if not isinstance(value, str):
            raise ClusterInventoryError("cluster {0}: {1} {2!r} has the value {3!r}, which is not a string (it is "
                                        "{4}): quote it".format(cluster, field, key, value, _kind_of(value)))
    return dict(pairs or {})


def make_cluster(name, server, source, hub=None, labels=None, annotations=None, connection=None, details=None,
                 hub_connection=None):
    """A cluster record; a label or annotation that is not a string to a string raises ClusterInventoryError."""
    if not isinstance(name, str) or not name:
        raise ClusterInventoryError("a cluster needs a name (a string), got {0!r}".format(name))
    return {
        "name": name,
        "server": server.rstrip("/") if server else server,
        "source": source,
        "hub": hub,
        "labels": _checked(name, "label", labels),
        "annotations": _checked(name, "annotation", annotations),
        "connection": connection or {},
        "hub_connection": hub_connection or {},
        "details": details or {},
    }


def each_cluster(items, build, describe, warn):
    """The records build(item) returns (None skips an item), an item it cannot build skipped with a warning that
    describe(item) names: one malformed object on a hub must not cost the rest of the inventory."""
    records = []
    for item in items:
        try:
            record = build(item)
        except (ClusterError, ValueError, TypeError, KeyError, AttributeError) as err:  # ClusterError: a kubeconfig too
            warn("skipping {0}: {1}".format(describe(item), err))
            continue
        if record is not None:
            records.append(record)
    return records


def api_object(kind):
    """A describe() for each_cluster: `Kind namespace/name` of an API object."""
    def describe(obj):
        metadata = obj.get("metadata") or {}
        return "{0} {1}".format(kind, "/".join(filter(None, (metadata.get("namespace"), metadata.get("name")))))
    return describe


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
    """(hostname -> cluster, [problems]). A cluster whose name cannot be made, and every cluster of a name two
    different clusters would share, is left out with a problem naming it: guessing which one a host name means
    could run a play on the wrong cluster, and one ambiguity must not cost the rest of the inventory."""
    hosts, problems, ambiguous = {}, [], set()
    for cluster in clusters:
        try:
            hostname = sanitize_hostname(name_of(cluster))
        except ClusterInventoryError as err:
            problems.append("leaving out cluster {0} (source {1}): {2}".format(cluster["name"], cluster["source"], err))
            continue
        if not hostname:
            problems.append("leaving out cluster {0} (source {1}): its host name is empty".format(
                cluster["server"], cluster["source"]))
        elif hostname in hosts or hostname in ambiguous:
            other = hosts.pop(hostname, None)
            ambiguous.add(hostname)
            problems.append(
                "leaving out host name {0!r}: it names two clusters, {1} (source {2}) and {3} (source {4}); set the "
                "`hostname` option to something unique, for example a label or \"name ~ '-' ~ source\"".format(
                    hostname, (other or cluster)["server"], (other or cluster)["source"], cluster["server"],
                    cluster["source"]))
        else:
            hosts[hostname] = cluster
    return hosts, problems
