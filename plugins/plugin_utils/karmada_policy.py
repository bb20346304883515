# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Karmada policies from inventory language: clusters named by inventory group, label selector or name.

Shared by the propagation_policy and override_policy filters. A Karmada member's name is its inventory
host name (the karmada_member role's default), so an inventory group resolves to the names of its hosts.
Every reference is checked here, before anything reaches the API: an unknown group, a group without
hosts, a weight list that names no cluster, a malformed selector.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import (
    LabelSelectorError,
    normalize,
)

API_VERSION = "policy.karmada.io/v1alpha1"


def fail(policy, message):
    raise AnsibleFilterError("Karmada policy {0!r}: {1}".format(policy.get("name", "?"), message))


def as_list(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def group_hosts(policy, group, groups):
    """The host names of an inventory group; an unknown or empty group is an error."""
    if group not in groups:
        known = ", ".join(sorted(g for g in groups if g not in ("all", "ungrouped")))
        fail(policy, "unknown inventory group {0!r} (groups: {1})".format(group, known))
    if not groups[group]:
        fail(policy, "inventory group {0!r} has no hosts, so it names no cluster".format(group))
    return list(groups[group])


def cluster_affinity(policy, target, groups, what):
    """A ClusterAffinity from {groups, clusters, selector, exclude}: names from groups and clusters, a labelSelector
    over the Cluster objects' labels (the inventory's labels, set by the karmada_member role)."""
    target = target or {}
    unknown = set(target) - {"groups", "clusters", "selector", "exclude"}
    if unknown:
        fail(policy, "{0} has unknown keys {1}; use groups, clusters, selector, exclude".format(what, sorted(unknown)))
    names = []
    for group in as_list(target.get("groups")):
        names += group_hosts(policy, group, groups)
    names += as_list(target.get("clusters"))
    affinity = {}
    if names:
        affinity["clusterNames"] = sorted(set(names))
    if target.get("selector") is not None:
        try:
            selector = normalize(target["selector"])
        except LabelSelectorError as err:
            fail(policy, "{0} selector: {1}".format(what, err))
        affinity["labelSelector"] = {k: v for k, v in selector.items() if v}
    if target.get("exclude"):
        affinity["exclude"] = sorted(set(as_list(target["exclude"])))
    return affinity


def metadata(policy, kind_prefix_cluster):
    """(kind suffix prefix, metadata): a namespace makes a namespaced policy, none a cluster-wide one."""
    if not policy.get("name"):
        fail(policy, "every policy needs a name")
    meta = {"name": policy["name"]}
    if policy.get("namespace"):
        meta["namespace"] = policy["namespace"]
    if policy.get("labels"):
        meta["labels"] = dict(policy["labels"])
    return ("" if policy.get("namespace") else kind_prefix_cluster), meta


def resource_selectors(policy):
    selectors = policy.get("resources") or []
    if not selectors:
        fail(policy, "resources is empty: name what the policy applies to (apiVersion, kind, and name or labelSelector)")
    for selector in selectors:
        if not isinstance(selector, dict) or not selector.get("apiVersion") or not selector.get("kind"):
            fail(policy, "each resource needs apiVersion and kind, got {0!r}".format(selector))
    return [dict(s) for s in selectors]
