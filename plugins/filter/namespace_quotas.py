# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.namespace_quotas: the ResourceQuota and LimitRange objects of the namespace_quotas role.

Which namespaces an item covers depends on the cluster (names and label selectors over its Namespaces), so
the objects are rendered here from the cluster's namespace list, on the controller, before anything changes.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import (
    LabelSelectorError,
    matches,
    normalize,
)

DOCUMENTATION = r"""
name: namespace_quotas
short_description: Render ResourceQuota and LimitRange objects for the namespaces each item selects
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Each item names its namespaces by C(namespaces) (names) and/or C(namespace_selector) (a LabelSelector
    over the cluster's Namespace labels); it gets a ResourceQuota from C(resource_quota) (a ResourceQuota
    spec) and a LimitRange from C(limit_range) (the C(limits) list of a LimitRange spec), both named C(name).
  - A namespace named in C(namespaces) that the cluster does not have, an item with neither C(resource_quota)
    nor C(limit_range), a bad selector, or two items that give one namespace objects of the same name is an
    error naming the item.
options:
  _input:
    description: The items, the role variable C(namespace_quotas_items).
    type: list
    elements: dict
    required: true
  namespaces:
    description: The cluster's Namespace objects, as M(kubernetes.core.k8s_info) returns them.
    type: list
    elements: dict
    required: true
  labels:
    description: Labels put on every object.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Render this cluster's quotas
  ansible.builtin.set_fact:
    quotas: "{{ namespace_quotas_items | hubspoke.multicluster.namespace_quotas(found.resources) }}"
"""

RETURN = r"""
_value:
  description: ResourceQuota and LimitRange objects, ready for M(kubernetes.core.k8s).
  type: list
  elements: dict
"""


def _fail(item, message):
    raise AnsibleFilterError("namespace_quotas item {0!r}: {1}".format(item.get("name", "?"), message))


def _selected(item, namespaces):
    """Names of the namespaces `item` covers, sorted."""
    labels = {ns["metadata"]["name"]: ns["metadata"].get("labels") or {} for ns in namespaces}
    chosen = set()
    named = item.get("namespaces") or []
    missing = sorted(set(named) - set(labels))
    if missing:
        _fail(item, "the cluster has no namespace {0}".format(", ".join(missing)))
    chosen.update(named)
    if item.get("namespace_selector") is not None:
        try:
            selector = normalize(item["namespace_selector"])
        except LabelSelectorError as err:
            _fail(item, "namespace_selector: {0}".format(err))
        chosen.update(name for name, ns_labels in labels.items() if matches(selector, ns_labels))
    if not named and item.get("namespace_selector") is None:
        _fail(item, "name its namespaces with namespaces and/or namespace_selector")
    return sorted(chosen)


def namespace_quotas(items, namespaces, labels=None):
    labels = labels or {}
    objects, owner = [], {}
    for item in items:
        name = item.get("name")
        if not name:
            _fail(item, "every item needs a name")
        if not item.get("resource_quota") and not item.get("limit_range"):
            _fail(item, "give it a resource_quota, a limit_range or both")
        for namespace in _selected(item, namespaces):
            if (namespace, name) in owner:
                _fail(item, "namespace {0} already gets objects named {1} from another item".format(namespace, name))
            owner[(namespace, name)] = item
            metadata = {"name": name, "namespace": namespace, "labels": dict(labels)}
            if item.get("resource_quota"):
                objects.append({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": metadata,
                                "spec": item["resource_quota"]})
            if item.get("limit_range"):
                objects.append({"apiVersion": "v1", "kind": "LimitRange", "metadata": dict(metadata),
                                "spec": {"limits": item["limit_range"]}})
    return objects


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"namespace_quotas": namespace_quotas}
