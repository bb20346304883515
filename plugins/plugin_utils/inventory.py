# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clusters inventory plugin's base: its `sources` option checked and resolved, the inventory cache, and
the host variables that say how a task reaches a cluster (plugin_utils/sources reads the clusters).

The cache follows amazon.aws's inventory base: read the cache when it is on and fresh, and write it only after
a complete read (never rewrite an entry that was just read, never cache a read with a skipped source).
"""

import os
from collections import Counter

from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.template import trust_as_template

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.credentials import kubeconfig_for
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.sources import READERS

LOOKUP = "hubspoke.multicluster.cluster_kubeconfig"
# Options that name files, in a source, a static entry and a `connection`, resolved against the inventory's folder.
PATH_OPTIONS = ("kubeconfig", "ca_cert", "client_cert", "client_key")
# Source options that may be templates, rendered when the inventory is read (an environment lookup for a path, say);
# a static entry's credentials (api_key) stay templates until a task runs.
TEMPLATED_OPTIONS = ("path", "kubeconfig", "context", "namespace", "selector", "hub")
# A hub read through the environment when the inventory was built is reached the same way when a task runs.
ENVIRONMENT_CONNECTION = "{{ lookup('hubspoke.multicluster.cluster_connection', 'environment') }}"


def _resolve(path, base_dir):
    """A path (or several joined as in KUBECONFIG) from the inventory file, relative to the file's folder (as
    AWX project inventories need)."""
    def one(part):
        part = os.path.expanduser(part)
        return part if os.path.isabs(part) else os.path.normpath(os.path.join(base_dir, part))
    return os.pathsep.join(one(part) for part in str(path).split(os.pathsep) if part)


def _resolve_paths(options, base_dir):
    return dict(options, **{k: _resolve(options[k], base_dir) for k in PATH_OPTIONS
                            if isinstance(options.get(k), str) and options[k]})


def normalize_sources(sources, base_dir):
    """Validate the `sources` option, give every source a unique name and resolve its paths."""
    if not isinstance(sources, list) or not sources:
        raise ClusterInventoryError("`sources` must be a non-empty list")
    for index, source in enumerate(sources):
        if not isinstance(source, dict) or source.get("type") not in READERS:
            raise ClusterInventoryError("sources[{0}].type must be one of {1}".format(index, ", ".join(sorted(READERS))))
    type_counts = Counter(source["type"] for source in sources)
    normalized, seen = [], set()
    for index, source in enumerate(sources):
        default_name = source["type"] if type_counts[source["type"]] == 1 else "{0}_{1}".format(source["type"], index)
        spec = _resolve_paths(dict(source, name=str(source.get("name") or default_name)), base_dir)
        if isinstance(spec.get("connection"), dict):
            spec["connection"] = _resolve_paths(spec["connection"], base_dir)
        if spec.get("path"):
            paths = spec["path"] if isinstance(spec["path"], list) else str(spec["path"]).split(os.pathsep)
            spec["path"] = [_resolve(p, base_dir) for p in paths if p]
        if spec.get("clusters"):
            spec["clusters"] = [_resolve_paths(c, base_dir) if isinstance(c, dict) else c for c in spec["clusters"]]
        if spec["name"] in seen:
            raise ClusterInventoryError("sources[{0}].name {1!r} is used twice".format(index, spec["name"]))
        seen.add(spec["name"])
        normalized.append(spec)
    return normalized


def kubeconfig_lookup(ref):
    """The template that reads a cluster's credential Secret when a task runs."""
    return "{{{{ lookup({0!r}, {1!r}) }}}}".format(LOOKUP, _without_none(ref))


def _without_none(value):
    # Jinja has no `null`: drop unset keys so the reference renders as a plain literal.
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return value


def connection_var(connection, inline_credentials=False, exec_commands=()):
    """A record's connection as a host variable: as stated, a Secret read by a lookup when a task runs (or
    now, with inline_credentials), or the environment's hub credential read when a task runs."""
    if "secret" in connection:
        ref = dict(connection["secret"], **({"allow_exec": list(exec_commands)} if exec_commands else {}))
        if inline_credentials:
            return {"kubeconfig": kubeconfig_for(ref)}
        return {"kubeconfig": trust_as_template(kubeconfig_lookup(ref))}
    if "environment" in connection:
        return trust_as_template(ENVIRONMENT_CONNECTION)
    return dict(connection)


def connection_vars(cluster, inline_credentials=False, exec_commands=()):
    """hubspoke_connection (what the cluster connection plugin and the roles use), the hub's, and the
    hubspoke_kubeconfig / hubspoke_context of earlier inventories."""
    connection = connection_var(cluster["connection"], inline_credentials, exec_commands)
    variables = {"hubspoke_connection": connection}
    if cluster["hub_connection"]:
        variables["hubspoke_hub_connection"] = connection_var(cluster["hub_connection"], inline_credentials,
                                                              exec_commands)
    if isinstance(connection, dict):
        variables.update({"hubspoke_" + k: v for k, v in connection.items() if k in ("kubeconfig", "context")})
    return variables


class ClusterInventoryBase(BaseInventoryPlugin, Constructable, Cacheable):
    """An inventory of clusters: file-name suffixes, the cache, and the sources option."""

    INVENTORY_FILE_SUFFIXES = ()

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(self.INVENTORY_FILE_SUFFIXES)

    def sources(self, path):
        """The `sources` option with its templated options rendered, checked, named and resolved."""
        sources = self.get_option("sources")
        if isinstance(sources, list):
            sources = [self._templated(source) if isinstance(source, dict) else source for source in sources]
        return normalize_sources(sources, os.path.dirname(os.path.abspath(path)))

    def _templated(self, source):
        return dict(source, **{key: self.templar.template(source[key]) for key in TEMPLATED_OPTIONS
                               if isinstance(source.get(key), str) and self.templar.is_template(source[key])})

    def get_cached_result(self, path, cache):
        """(True, result) when the cache is on, wanted and holds this file's entry; else (False, None)."""
        key = self.get_cache_key(path)
        if self.get_option("cache") and cache and key in self._cache:
            return True, self._cache[key]
        return False, None

    def update_cached_result(self, path, result):
        if self.get_option("cache"):
            self._cache[self.get_cache_key(path)] = result
