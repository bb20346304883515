# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clusters from the contexts of kubeconfig files (seed-style multi-context files).

The file is parsed here, not by the kubernetes client: only context -> cluster -> server is needed,
credentials are never read, and a 1,000-context file parses in a fraction of a second.
"""

import fnmatch
import os

import yaml

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import (
    ClusterInventoryError,
    make_cluster,
)

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    _Loader = yaml.SafeLoader


def _load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            doc = yaml.load(handle, Loader=_Loader)  # nosec B506: a safe loader
    except OSError as err:
        raise ClusterInventoryError("kubeconfig {0}: {1}".format(path, err.strerror)) from err
    except yaml.YAMLError as err:
        raise ClusterInventoryError("kubeconfig {0} is not valid YAML: {1}".format(path, err)) from err
    if not isinstance(doc, dict):
        raise ClusterInventoryError("kubeconfig {0}: expected a mapping at the top level".format(path))
    return doc


def _named(doc, path, key, inner):
    """{name: entry[inner]} for the kubeconfig list `key`, with errors naming file and key."""
    entries = doc.get(key) or []
    if not isinstance(entries, list):
        raise ClusterInventoryError("kubeconfig {0}: `{1}` must be a list".format(path, key))
    named = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "name" not in entry or not isinstance(entry.get(inner), dict):
            raise ClusterInventoryError("kubeconfig {0}: {1}[{2}] needs `name` and a `{3}` mapping".format(
                path, key, index, inner))
        named[entry["name"]] = entry[inner]
    return named


def read(spec):
    paths = spec.get("path") or os.environ.get("KUBECONFIG", "~/.kube/config").split(os.pathsep)
    if isinstance(paths, str):
        paths = [paths]
    patterns = spec.get("contexts") or ["*"]
    context_labels = spec.get("context_labels") or {}
    clusters = []
    for raw_path in paths:
        path = os.path.abspath(os.path.expanduser(raw_path))
        doc = _load(path)
        known_clusters = _named(doc, path, "clusters", "cluster")
        for context_name, context in _named(doc, path, "contexts", "context").items():
            if not any(fnmatch.fnmatchcase(context_name, p) for p in patterns):
                continue
            cluster_name = context.get("cluster")
            if cluster_name not in known_clusters:
                raise ClusterInventoryError(
                    "kubeconfig {0}: context {1!r} names cluster {2!r}, which is not in `clusters`".format(
                        path, context_name, cluster_name))
            server = known_clusters[cluster_name].get("server")
            if not server:
                raise ClusterInventoryError("kubeconfig {0}: clusters[{1!r}].cluster.server is missing".format(
                    path, cluster_name))
            labels = dict(spec.get("labels") or {}, **context_labels.get(context_name, {}))
            clusters.append(make_cluster(
                context_name, server, spec["name"], hub=spec.get("hub"), labels=labels,
                connection={"kubeconfig": path, "context": context_name},
                details={"namespace": context.get("namespace")}))
    return clusters
