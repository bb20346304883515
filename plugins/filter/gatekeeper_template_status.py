# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.gatekeeper_template_status: whether Gatekeeper has compiled a ConstraintTemplate, and its errors.

One place for what the gatekeeper role waits on and what it refuses a template for, which both read the same
per-pod status of the template's current generation.
"""

import re

DOCUMENTATION = r"""
name: gatekeeper_template_status
short_description: Whether Gatekeeper has compiled a ConstraintTemplate's current generation, and the errors it found
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Reads the per-pod status (C(status.byPod)) Gatekeeper writes on a ConstraintTemplate, keeping only the pods
    that report the template's current generation; a status left from an earlier generation (the Rego changed)
    says nothing about this one.
  - C(settled) is true once a pod reports the current generation and Gatekeeper either created the template's
    Constraint CRD (C(status.created)) or reported an error.
  - C(errors) are the messages of the current generation's errors, each once, except the errors Gatekeeper
    retries itself (its own create or update of the Constraint CRD failing, C(Could not create CRD) or
    C(Could not update CRD)), which clear on its next attempt; any other error (Rego, schema) is the template's.
options:
  _input:
    description: The ConstraintTemplate as read from the cluster; nothing (not found yet) is not settled.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Wait until Gatekeeper has compiled the template
  kubernetes.core.k8s_info:
    api_version: templates.gatekeeper.sh/v1
    kind: ConstraintTemplate
    name: k8srequiredlabels
  register: template
  until: (template.resources | first | default(none) | hubspoke.multicluster.gatekeeper_template_status).settled
  retries: 30
  delay: 2
"""

RETURN = r"""
_value:
  description: C(settled) (bool) and C(errors) (list of messages).
  type: dict
"""

# Gatekeeper's own write of the Constraint CRD failed (AlreadyExists from a cache lagging its create, a conflict,
# another replica creating it first): it retries, and one pod's success is enough.
RETRIED_ERRORS = re.compile(r"^Could not (create|update) CRD: ")


def gatekeeper_template_status(template):
    template = template or {}
    status = template.get("status") or {}
    generation = (template.get("metadata") or {}).get("generation")
    current = [pod for pod in status.get("byPod") or [] if pod.get("observedGeneration", -1) == generation]
    errors = []
    for pod in current:
        for error in pod.get("errors") or []:
            message = error.get("message", "")
            if message not in errors and not RETRIED_ERRORS.match(message):
                errors.append(message)
    return {"settled": bool(current) and (bool(status.get("created")) or bool(errors)), "errors": errors}


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"gatekeeper_template_status": gatekeeper_template_status}
