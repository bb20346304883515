# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.leftover_objects: the objects a role owns on a cluster that its variables no longer list."""

DOCUMENTATION = r"""
name: leftover_objects
short_description: Objects found on a cluster that are not among the objects wanted
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Compares by kind, namespace and name; returns the found objects that match no wanted object, as
    their C(apiVersion), C(kind), C(metadata.name) and C(metadata.namespace), for M(kubernetes.core.k8s) with
    C(state=absent).
  - Roles find their own objects by an owner label, so what a user made by hand is never among them.
options:
  _input:
    description: Objects found, the C(resources) of M(kubernetes.core.k8s_info).
    type: list
    elements: dict
    required: true
  wanted:
    description: The objects the role's variables render.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Delete the quotas the inventory no longer lists
  kubernetes.core.k8s:
    state: absent
    definition: "{{ found.resources | hubspoke.multicluster.leftover_objects(rendered) }}"
"""

RETURN = r"""
_value:
  description: The leftover objects, reduced to what deleting them needs.
  type: list
  elements: dict
"""


def _key(obj):
    meta = obj.get("metadata") or {}
    return obj.get("kind"), meta.get("namespace") or "", meta.get("name")


def leftover_objects(found, wanted):
    keep = {_key(obj) for obj in wanted}
    leftovers = []
    for obj in found:
        if _key(obj) not in keep:
            meta = {"name": obj["metadata"]["name"]}
            if obj["metadata"].get("namespace"):
                meta["namespace"] = obj["metadata"]["namespace"]
            leftovers.append({"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": meta})
    return sorted(leftovers, key=_key)


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"leftover_objects": leftover_objects}
