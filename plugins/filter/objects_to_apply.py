# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.objects_to_apply: the wanted objects a cluster does not hold as they were last applied."""

DOCUMENTATION = r"""
name: objects_to_apply
short_description: The objects a server-side apply still needs, from the objects found on a cluster
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns each wanted object with the digest of its content in the annotation C(hubspoke.io/manifest-digest),
    leaving out those the cluster holds as last applied, as M(hubspoke.multicluster.manifest_changes) does with
    C(held=true), from objects already read (by M(hubspoke.multicluster.fleet_info) run once for a whole play).
  - An object is held when the found object of its kind, namespace and name has that digest (the same wanted
    object, so no field the apply would now remove) and every field of the wanted one with its value (nobody
    changed it since). Anything else is returned, so the apply puts back what someone changed.
  - A role that applies only what this returns skips the apply, a module run per cluster, where nothing changed.
options:
  _input:
    description: The objects the role's variables render.
    type: list
    elements: dict
    required: true
  found:
    description: The objects found on the cluster, of the kinds and namespaces of the wanted ones.
    type: list
    elements: dict
    required: true
seealso:
  - module: hubspoke.multicluster.manifest_changes
"""

EXAMPLES = r"""
- name: Apply the quotas the cluster does not hold as last applied
  kubernetes.core.k8s:
    definition: "{{ __to_apply }}"
    apply: true
    server_side_apply:
      field_manager: my-role
  vars:
    __to_apply: "{{ rendered | hubspoke.multicluster.objects_to_apply(found.resources) }}"
  when: __to_apply | length > 0
"""

RETURN = r"""
_value:
  description: The wanted objects still to apply, each with its digest annotation, in their order.
  type: list
  elements: dict
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.applied import to_apply


def objects_to_apply(wanted, found):
    by_kind = {}
    for obj in found:
        meta = obj.get("metadata") or {}
        by_kind.setdefault((obj.get("kind"), meta.get("namespace") or ""), {})[meta.get("name")] = obj

    def live_at(document, _metadata_only):
        return by_kind.get((document["kind"], document["metadata"].get("namespace") or ""), {})

    return to_apply(wanted, set(), live_at, held=True)[0]


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"objects_to_apply": objects_to_apply}
