# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: clusters
short_description: Kubernetes clusters as inventory hosts, grouped by their labels
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Turns Kubernetes clusters into inventory hosts so plays target them like servers,
    for example with the pattern C(env_production:&region_cn_hangzhou) or C(--limit spoke-1).
  - Reads any mix of sources concurrently, the contexts of kubeconfig files, the cluster Secrets of
    Argo CD hubs, the C(Cluster) objects of a Karmada control plane or a Cluster API management cluster,
    Open Cluster Management C(ManagedCluster) objects, and clusters listed in this file.
  - The same cluster (same API server URL) found by several sources is one host with merged labels;
    a label that two sources set to different values is reported (a warning, an error with O(strict)).
  - Every host gets C(hubspoke_kubeconfig) (and C(hubspoke_context) for kubeconfig sources), to pass to
    the kubernetes.core auth options with C(module_defaults) and the C(group/hubspoke.multicluster.fleet)
    action group. For clusters whose credentials live in a hub Secret, C(hubspoke_kubeconfig) is a
    call of the P(hubspoke.multicluster.cluster_kubeconfig#lookup) lookup, evaluated when a task runs,
    so no token appears in C(ansible-inventory) output or in the inventory cache.
  - Other host variables are C(hubspoke_cluster_name), C(hubspoke_server), C(hubspoke_labels),
    C(hubspoke_annotations), C(hubspoke_source), C(hubspoke_sources), C(hubspoke_hub), C(hubspoke_details),
    C(ansible_connection=local) and C(ansible_python_interpreter) (the controller's Python).
  - Default groups are C(<prefix>_<value>) for the labels of O(label_groups), C(source_<name>) per
    source and C(hub_<name>) per hub; O(keyed_groups), O(groups) and O(compose) work as in every
    constructed inventory. Group names are sanitized (C(cn-hangzhou) becomes C(cn_hangzhou)).
  - Inventory files must end in C(.clusters.yml) or C(.clusters.yaml).
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
requirements:
  - kubernetes >= 24.2.0
  - PyYAML
options:
  plugin:
    description: The name of this plugin; it must always be set to V(hubspoke.multicluster.clusters).
    required: true
    type: str
    choices: [hubspoke.multicluster.clusters]
  sources:
    description:
      - Where clusters come from, read concurrently. Each entry is a dict with C(type) and the keys of that type.
      - Every type takes C(name) (source name for groups and messages, default C(<type>) or C(<type>_<n>)),
        C(labels) (labels added to every cluster of the source) and C(hub) (hub name, grouped as C(hub_<name>)).
      - C(type=kubeconfig) takes C(path) (a path or list, default E(KUBECONFIG) or C(~/.kube/config)),
        C(contexts) (shell patterns of the contexts to include, default all) and C(context_labels)
        (a dict of context name to labels).
      - Where C(kubeconfig) and C(context) of a hub are not set, the hub is reached through the E(K8S_AUTH_KUBECONFIG),
        E(K8S_AUTH_CONTEXT) or E(K8S_AUTH_HOST), E(K8S_AUTH_API_KEY), E(K8S_AUTH_SSL_CA_CERT) and E(K8S_AUTH_VERIFY_SSL)
        environment variables (as kubernetes.core modules are; AWX's Kubernetes credential sets them), else the default kubeconfig.
      - C(type=argocd) takes C(kubeconfig) and C(context) of the hub, C(namespace) (default V(argocd)) and
        C(selector) (a label selector on the cluster Secrets). The in-cluster entry
        (C(https://kubernetes.default.svc)) is the hub itself.
      - C(type=karmada) takes C(kubeconfig) and C(context) of the Karmada API server and C(selector).
      - C(type=capi) takes C(kubeconfig), C(context), C(namespace) (default all) and C(selector).
      - C(type=ocm) takes C(kubeconfig), C(context) and C(selector).
      - C(type=static) takes C(clusters), a list of dicts with C(name), C(server), C(labels), C(annotations),
        C(kubeconfig) and C(context).
    type: list
    elements: dict
    required: true
  hostname:
    description:
      - How a cluster's host name is chosen. V(name) is the cluster's name in its source (context name,
        Argo CD cluster name, object name); V(server) is its API URL; C(label:<key>) is the value of a label;
        anything else is a Jinja2 expression over C(name), C(server), C(labels), C(annotations), C(source) and C(hub).
      - Names are sanitized (characters other than letters, digits, C(_), C(.) and C(-) become C(_)).
        Two clusters with the same host name are an error.
    type: str
    default: name
  label_groups:
    description:
      - Labels that make default groups, as label key to group prefix. With the default,
        C(environment=production) makes C(env_production) and C(region=cn-hangzhou) makes C(region_cn_hangzhou).
      - Set to C({}) to make no label groups.
    type: dict
    default: {environment: env, region: region, role: role, zone: zone}
  fail_on_source_error:
    description:
      - Fail the whole inventory when a source cannot be read. By default the source is skipped with a
        warning that names it and the cause, and the other sources still load.
    type: bool
    default: false
  inline_credentials:
    description:
      - Put the credentials read from hub Secrets into C(hubspoke_kubeconfig) instead of a lookup call.
        Saves one API read per task, but tokens then appear in C(ansible-inventory) output and the inventory cache.
    type: bool
    default: false
  source_timeout:
    description: Seconds to wait for each API request of a source.
    type: int
    default: 15
"""

EXAMPLES = r"""
# fleet.clusters.yml: seed-style contexts plus everything registered to the Argo CD hub
plugin: hubspoke.multicluster.clusters
sources:
  - type: kubeconfig
    path: ~/.kube/fleet.yaml
    contexts: [prod-*, staging]
    context_labels:
      prod-hz: {environment: production, region: cn-hangzhou}
      prod-sh: {environment: production, region: cn-shanghai}
      staging: {environment: staging, region: cn-hangzhou}
  - type: argocd
    name: argocd_hub
    hub: hub
    kubeconfig: ~/.kube/fleet.yaml
    context: hub
    selector: hubspoke.io/managed=true
keyed_groups:
  - key: hubspoke_labels.team | default('none')
    prefix: team
compose:
  ansible_host: hubspoke_server

# A play over env_production:&region_cn_hangzhou reaches those clusters with no auth in the tasks:
# - hosts: env_production:&region_cn_hangzhou
#   gather_facts: false
#   module_defaults:
#     group/hubspoke.multicluster.fleet:
#       kubeconfig: "{{ hubspoke_kubeconfig }}"
#       context: "{{ hubspoke_context | default(omit) }}"
#   tasks:
#     - kubernetes.core.k8s_info: {kind: Namespace}
"""

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.template import trust_as_template

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import (
    ClusterInventoryError,
    assign_hostnames,
    merge_clusters,
)
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.credentials import kubeconfig_for
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
LOOKUP = "hubspoke.multicluster.cluster_kubeconfig"


# Options that name files, in a source, a static entry and a `connection`, resolved against the inventory's folder.
PATH_OPTIONS = ("kubeconfig", "ca_cert", "client_cert", "client_key")


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


def read_sources(sources, timeout):
    """Read every source concurrently. Returns (clusters in source order, {source name: error})."""
    def read_one(spec):
        try:
            return READERS[spec["type"]](dict(spec, timeout=timeout)), None
        except ClusterInventoryError as err:
            return [], str(err)

    with ThreadPoolExecutor(max_workers=min(8, len(sources))) as pool:
        results = list(pool.map(read_one, sources))
    clusters = [c for found, _err in results for c in found]
    errors = {spec["name"]: err for spec, (_found, err) in zip(sources, results) if err}
    return clusters, errors


def kubeconfig_lookup(ref):
    """The template that reads a cluster's credential Secret when a task runs."""
    return "{{{{ lookup({0!r}, {1!r}) }}}}".format(LOOKUP, _without_none(ref))


# A hub read through the environment when the inventory was built is reached the same way when a task runs.
ENVIRONMENT_CONNECTION = "{{ lookup('hubspoke.multicluster.cluster_connection', 'environment') }}"


def _without_none(value):
    # Jinja has no `null`: drop unset keys so the reference renders as a plain literal.
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return value


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "hubspoke.multicluster.clusters"
    INVENTORY_FILE_SUFFIXES = (".clusters.yml", ".clusters.yaml")

    @staticmethod
    def _sanitize_group_name(name):
        # Always: `region_cn-hangzhou` must become `region_cn_hangzhou` for host patterns to work.
        return to_safe_group_name(name, force=True, silent=True)

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(self.INVENTORY_FILE_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        try:
            sources = normalize_sources(self.get_option("sources"), os.path.dirname(os.path.abspath(path)))
            clusters = self._clusters(path, sources, cache)
            self._populate(clusters)
        except ClusterInventoryError as err:
            raise AnsibleParserError("{0}: {1}".format(path, to_native(err))) from err

    def _clusters(self, path, sources, cache):
        """Merged clusters, from the inventory cache when it is on and fresh."""
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        if use_cache and cache_key in self._cache:
            return self._cache[cache_key]
        found, errors = read_sources(sources, self.get_option("source_timeout"))
        for name, error in errors.items():
            if self.get_option("fail_on_source_error"):
                raise ClusterInventoryError("source {0}: {1}".format(name, error))
            self.display.warning("hubspoke.multicluster.clusters: skipping source {0}: {1}".format(name, error))
        clusters, conflicts = merge_clusters(found)
        for conflict in conflicts:
            if self.get_option("strict"):
                raise ClusterInventoryError(conflict)
            self.display.warning("hubspoke.multicluster.clusters: {0}".format(conflict))
        # Only a complete read is cached: a skipped source must be retried next time.
        if self.get_option("cache") and not errors:
            self._cache[cache_key] = clusters
        return clusters

    def _hostname_of(self, cluster):
        choice = self.get_option("hostname")
        if choice in ("name", "server"):
            return cluster[choice] or ""
        if choice.startswith("label:"):
            key = choice[len("label:"):]
            if key not in cluster["labels"]:
                raise ClusterInventoryError("cluster {0} (source {1}) has no label {2!r} for `hostname`".format(
                    cluster["name"], cluster["source"], key))
            return cluster["labels"][key]
        try:
            return str(self._compose(choice, cluster))
        except Exception as err:
            raise ClusterInventoryError("`hostname` expression {0!r} failed for cluster {1}: {2}".format(
                choice, cluster["name"], to_native(err))) from err

    def _connection(self, connection):
        """A record's connection as a host variable: as stated, a Secret read by a lookup when a task runs (or
        now, with inline_credentials), or the environment's hub credential read when a task runs."""
        if "secret" in connection:
            if self.get_option("inline_credentials"):
                return {"kubeconfig": kubeconfig_for(connection["secret"])}
            return {"kubeconfig": trust_as_template(kubeconfig_lookup(connection["secret"]))}
        if "environment" in connection:
            return trust_as_template(ENVIRONMENT_CONNECTION)
        return dict(connection)

    def _connection_vars(self, cluster):
        """hubspoke_connection (what the cluster connection plugin and the roles use), the hub's, and the
        hubspoke_kubeconfig / hubspoke_context of earlier inventories."""
        connection = self._connection(cluster["connection"])
        variables = {"hubspoke_connection": connection}
        if cluster["hub_connection"]:
            variables["hubspoke_hub_connection"] = self._connection(cluster["hub_connection"])
        if isinstance(connection, dict):
            variables.update({"hubspoke_" + k: v for k, v in connection.items() if k in ("kubeconfig", "context")})
        return variables

    def _populate(self, clusters):
        strict = self.get_option("strict")
        label_groups = self.get_option("label_groups") or {}
        for hostname, cluster in assign_hostnames(clusters, self._hostname_of).items():
            self.inventory.add_host(hostname)
            hostvars = {
                "ansible_connection": "hubspoke.multicluster.cluster",
                "ansible_python_interpreter": trust_as_template("{{ ansible_playbook_python }}"),
                "hubspoke_cluster_name": cluster["name"],
                "hubspoke_server": cluster["server"],
                "hubspoke_labels": cluster["labels"],
                "hubspoke_annotations": cluster["annotations"],
                "hubspoke_source": cluster["source"],
                "hubspoke_sources": cluster["sources"],
                "hubspoke_hub": cluster["hub"],
                "hubspoke_details": cluster["details"],
                "hubspoke_label_conflicts": cluster["label_conflicts"],
            }
            hostvars.update(self._connection_vars(cluster))
            for key, value in hostvars.items():
                self.inventory.set_variable(hostname, key, value)
            for source in cluster["sources"]:
                self.inventory.add_child(self.inventory.add_group(self._sanitize_group_name("source_" + source)),
                                         hostname)
            if cluster["hub"]:
                self.inventory.add_child(self.inventory.add_group(self._sanitize_group_name("hub_" + cluster["hub"])),
                                         hostname)
            # Label groups only for labels that are set: a cluster without `region` joins no region group.
            # Named as keyed_groups would name them, without a Jinja compile per host (most of the time
            # of a 1,000-cluster inventory when done through _add_host_to_keyed_groups).
            for label, prefix in label_groups.items():
                if cluster["labels"].get(label):
                    group = self.inventory.add_group(self._sanitize_group_name(
                        "{0}_{1}".format(prefix, cluster["labels"][label])))
                    self.inventory.add_child(group, hostname)
            self._set_composite_vars(self.get_option("compose"), hostvars, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, hostname, strict=strict)
