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
    a label that two sources set to different values is a warning (the first source's value is kept), and
    with O(strict) that cluster is left out, with a warning naming the label and both values.
  - Every host runs through the P(hubspoke.multicluster.cluster#connection) connection
    (C(ansible_connection)), which gives each module exactly its cluster's credentials, so tasks need no auth
    options. C(hubspoke_connection) says how to reach the cluster (kubernetes.core's auth options), and
    C(hubspoke_hub_connection) how to reach its hub; C(hubspoke_kubeconfig) and C(hubspoke_context) are set too.
    For clusters whose credentials live in a hub Secret, the kubeconfig is a call of the
    P(hubspoke.multicluster.cluster_kubeconfig#lookup) lookup, evaluated when a task runs, so no token
    appears in C(ansible-inventory) output or in the inventory cache.
  - Other host variables are C(hubspoke_cluster_name), C(hubspoke_server), C(hubspoke_labels),
    C(hubspoke_annotations), C(hubspoke_source), C(hubspoke_sources), C(hubspoke_hub), C(hubspoke_details) and
    C(ansible_python_interpreter) (the controller's Python).
  - One bad item never costs the rest of the inventory - a source that cannot be read is skipped (unless
    O(fail_on_source_error)), and a cluster Secret, context, object or static entry that cannot be made a
    cluster (malformed data, a label that is not a string, a host name another cluster has too) is left out
    with a warning naming it.
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
      - The options C(path), C(kubeconfig), C(context), C(namespace), C(selector) and C(hub) may be Jinja2
        templates, rendered when the inventory is read, for example
        C("{{ lookup('ansible.builtin.env', 'FLEET_KUBECONFIG') }}").
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
        Two clusters with the same host name are both left out, with a warning naming them.
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
  exec_commands:
    description:
      - Commands (names on the controller's PATH, no paths) that a kubeconfig read from a hub Secret may run for
        credentials, for example V(aws) for Argo CD's C(awsAuthConfig) (EKS) or the C(command) of its
        C(execProviderConfig).
      - B(Dangerous) - whoever may write Secrets on the hub then chooses the arguments and environment of these
        commands, run on the controller or the AWX execution node with its rights. By default no command runs,
        and a Secret whose kubeconfig needs one, or names a token file or a certificate path, fails the tasks of
        that cluster with a message that names the Secret and the field.
    type: list
    elements: str
    default: []
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

# A play over env_production:&region_cn_hangzhou reaches those clusters with no auth in the tasks (the
# hubspoke.multicluster.cluster connection gives each module its own cluster's credentials):
# - hosts: env_production:&region_cn_hangzhou
#   gather_facts: false
#   tasks:
#     - kubernetes.core.k8s_info: {kind: Namespace}
"""

from ansible import constants as C
from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.inventory.group import to_safe_group_name
from ansible.template import trust_as_template
from ansible.utils.collection_loader import AnsibleCollectionConfig

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import (
    ClusterInventoryError,
    assign_hostnames,
    merge_clusters,
)
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.inventory import (
    ClusterInventoryBase,
    connection_vars,
)
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import playbook_start
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.sources import read_sources


class InventoryModule(ClusterInventoryBase):
    NAME = "hubspoke.multicluster.clusters"
    INVENTORY_FILE_SUFFIXES = (".clusters.yml", ".clusters.yaml")

    @staticmethod
    def _sanitize_group_name(name):
        # Always: `region_cn-hangzhou` must become `region_cn_hangzhou` for host patterns to work.
        return to_safe_group_name(name, force=True, silent=True)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        # The module server imports the kubernetes client while Ansible reads the playbook, the run gets the module
        # payloads earlier runs built, and the plugins every cluster host's task loads are loaded once for all workers.
        playbook_start.prepare(C.DEFAULT_LOCAL_TMP, AnsibleCollectionConfig.collection_paths)
        self._read_config_data(path)
        try:
            clusters = self._clusters(path, self.sources(path), cache)
            self._populate(clusters)
        except ClusterInventoryError as err:
            raise AnsibleParserError("{0}: {1}".format(path, to_native(err))) from err

    def _clusters(self, path, sources, cache):
        """Merged clusters, from the inventory cache when it is on and fresh."""
        hit, clusters = self.get_cached_result(path, cache)
        if hit:
            return clusters
        found, errors, warnings = read_sources(sources, self.get_option("source_timeout"))
        for warning in warnings:
            self.display.warning("hubspoke.multicluster.clusters: {0}".format(warning))
        for name, error in errors.items():
            if self.get_option("fail_on_source_error"):
                raise ClusterInventoryError("source {0}: {1}".format(name, error))
            self.display.warning("hubspoke.multicluster.clusters: skipping source {0}: {1}".format(name, error))
        clusters, conflicts = merge_clusters(found)
        if not self.get_option("strict"):
            for conflict in conflicts:
                self.display.warning("hubspoke.multicluster.clusters: {0}".format(conflict))
        # Only a complete read is cached: a skipped source must be retried next time.
        if not errors:
            self.update_cached_result(path, clusters)
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

    def _populate(self, clusters):
        strict = self.get_option("strict")
        label_groups = self.get_option("label_groups") or {}
        if strict:  # a cluster the sources disagree about is left out, not guessed at
            for cluster in (c for c in clusters if c["label_conflicts"]):
                self.display.warning("hubspoke.multicluster.clusters: leaving out cluster {0} (strict): {1}".format(
                    cluster["name"], "; ".join(cluster["label_conflicts"])))
            clusters = [c for c in clusters if not c["label_conflicts"]]
        hosts, problems = assign_hostnames(clusters, self._hostname_of)
        for problem in problems:
            self.display.warning("hubspoke.multicluster.clusters: {0}".format(problem))
        for hostname, cluster in hosts.items():
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
            hostvars.update(connection_vars(cluster, self.get_option("inline_credentials"),
                                            self.get_option("exec_commands")))
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
