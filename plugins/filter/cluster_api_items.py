# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.cluster_api_items: the cluster_api role's items, checked and with their defaults.

Checked on the controller before anything is applied: a bad name or a cluster declared twice would otherwise
fail half-way, with some Clusters made and others not.
"""

import re

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: cluster_api_items
short_description: Check the cluster_api role's clusters and fill in their defaults
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Each item needs C(name), a DNS-1123 label (a Cluster's name, its kubeconfig Secret's prefix and its inventory
    host name). A bad name, a C(state) other than V(present) or V(absent), labels that are not a map, or two
    items naming the same Cluster is an error naming the item.
  - Returns the items with C(namespace), C(labels), C(karmada), C(vars) and C(state) set.
options:
  _input:
    description: The items, the role variable C(cluster_api_clusters).
    type: list
    elements: dict
    required: true
  namespace:
    description: Namespace of items without one.
    type: str
    default: default
  karmada:
    description: C(karmada) of items without one.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Check the declared clusters
  ansible.builtin.set_fact:
    clusters: "{{ cluster_api_clusters | hubspoke.multicluster.cluster_api_items(namespace='fleet') }}"
"""

RETURN = r"""
_value:
  description: The items, each with C(name), C(namespace), C(labels), C(karmada), C(vars) and C(state).
  type: list
  elements: dict
"""

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def cluster_api_items(items, namespace="default", karmada=False):
    seen = set()
    out = []
    for position, item in enumerate(items or [], start=1):
        if not isinstance(item, dict):
            raise AnsibleFilterError("cluster_api_clusters item {0} is not a dict".format(position))
        name = item.get("name")
        if not isinstance(name, str) or not DNS_LABEL.match(name):
            raise AnsibleFilterError("cluster_api_clusters item {0}: name {1!r} is not a DNS-1123 label (lower-case "
                                     "letters, digits and '-', at most 63)".format(position, name))
        normalized = {"name": name, "namespace": item.get("namespace") or namespace, "labels": item.get("labels") or {},
                      "karmada": bool(item.get("karmada", karmada)), "vars": item.get("vars") or {},
                      "state": item.get("state") or "present"}
        if normalized["state"] not in ("present", "absent"):
            raise AnsibleFilterError("cluster {0}: state must be present or absent, got {1!r}".format(
                name, normalized["state"]))
        if not isinstance(normalized["labels"], dict):
            raise AnsibleFilterError("cluster {0}: labels must be a map".format(name))
        key = (normalized["namespace"], name)
        if key in seen:
            raise AnsibleFilterError("cluster {0}/{1} is declared twice".format(*key))
        seen.add(key)
        out.append(normalized)
    return out


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"cluster_api_items": cluster_api_items}
