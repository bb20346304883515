# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.gatekeeper_policies: the ConstraintTemplates and Constraints a list of policies needs.

A policy names a template (one the role ships, or one of the user's) and gives the Constraint's match,
parameters and enforcement action; checked here, on the controller, so bad input fails before any cluster
changes. Everything rendered carries the owner label the role prunes by.
"""

import re

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: gatekeeper_policies
short_description: Render Gatekeeper ConstraintTemplates and Constraints from the gatekeeper role's policies
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns C(templates), the ConstraintTemplates the policies use, and C(constraints), one Constraint per
    policy, each labelled with O(labels).
  - A policy's C(template) names a template of O(library) (the role's ready policies) or of O(templates) (full
    ConstraintTemplate objects a user supplies, which win over a library template of the same name).
  - A policy without C(match) gets its template's default match from O(library), if it has one.
  - An unknown template, an enforcement action other than V(deny), V(warn) or V(dryrun), a name that is not a
    DNS label, or two policies of the same name on the same template is an error naming the policy.
options:
  _input:
    description: The policies, the role variable C(gatekeeper_policies).
    type: list
    elements: dict
    required: true
  library:
    description: The role's templates by name, each C({template, match}).
    type: dict
    required: true
  templates:
    description: ConstraintTemplate objects supplied by the user.
    type: list
    elements: dict
    default: []
  enforcement_action:
    description: The enforcement action of policies that set none.
    type: str
    default: deny
  labels:
    description: Labels put on every object.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Render the policies of this cluster's groups
  ansible.builtin.set_fact:
    rendered: >-
      {{ gatekeeper_policies | hubspoke.multicluster.gatekeeper_policies(
           library=__gatekeeper_library, templates=gatekeeper_templates,
           enforcement_action=gatekeeper_enforcement_action) }}
"""

RETURN = r"""
_value:
  description: C(templates) and C(constraints), lists of objects ready for M(kubernetes.core.k8s).
  type: dict
"""

ACTIONS = ("deny", "warn", "dryrun")
CONSTRAINTS_API = "constraints.gatekeeper.sh/v1beta1"
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _fail(policy, message):
    raise AnsibleFilterError("Gatekeeper policy {0!r}: {1}".format(policy.get("name", "?"), message))


def _with_labels(obj, labels):
    obj = dict(obj, metadata=dict(obj.get("metadata") or {}))
    obj["metadata"]["labels"] = dict(obj["metadata"].get("labels") or {}, **labels)
    return obj


def template_kind(template):
    """The Constraint kind a ConstraintTemplate defines."""
    try:
        return template["spec"]["crd"]["spec"]["names"]["kind"]
    except (KeyError, TypeError):
        raise AnsibleFilterError("ConstraintTemplate {0!r} has no spec.crd.spec.names.kind".format(
            (template.get("metadata") or {}).get("name", "?"))) from None


def gatekeeper_policies(policies, library, templates=None, enforcement_action="deny", labels=None):
    labels = labels or {}
    known = {name: {"template": entry["template"], "match": entry.get("match")} for name, entry in library.items()}
    for template in templates or []:
        name = (template.get("metadata") or {}).get("name")
        if template.get("kind") != "ConstraintTemplate" or not name:
            raise AnsibleFilterError("gatekeeper_templates holds something that is not a named ConstraintTemplate: "
                                     "{0!r}".format({k: template.get(k) for k in ("kind", "metadata")}))
        template_kind(template)
        known[name] = {"template": template, "match": None}
    used, constraints, seen = {}, [], set()
    for policy in policies:
        name, template = policy.get("name"), policy.get("template")
        if not name or not _DNS_LABEL.match(str(name)):
            _fail(policy, "name must be a DNS label (lower case letters, digits, '-'), got {0!r}".format(name))
        if template not in known:
            _fail(policy, "unknown template {0!r}; known: {1}".format(template, ", ".join(sorted(known))))
        action = policy.get("enforcement_action") or enforcement_action
        if action not in ACTIONS:
            _fail(policy, "enforcement_action must be one of {0}, got {1!r}".format(", ".join(ACTIONS), action))
        if (template, name) in seen:
            _fail(policy, "two policies of template {0} have this name".format(template))
        seen.add((template, name))
        used[template] = _with_labels(known[template]["template"], labels)
        spec = {"enforcementAction": action}
        match = policy.get("match") or known[template]["match"]
        if match:
            spec["match"] = match
        if policy.get("parameters"):
            spec["parameters"] = policy["parameters"]
        constraints.append({"apiVersion": CONSTRAINTS_API, "kind": template_kind(used[template]),
                            "metadata": {"name": name, "labels": dict(labels)}, "spec": spec})
    return {"templates": [used[name] for name in sorted(used)], "constraints": constraints}


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"gatekeeper_policies": gatekeeper_policies}
