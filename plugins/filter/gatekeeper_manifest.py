# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.gatekeeper_manifest: upstream's gatekeeper.yaml with the role's audit settings, and
its webhook reached outside the cluster when asked.

Gatekeeper's manifest has no knobs (its Helm chart has, and the role installs without Helm), so the few
settings the role owns are written into the documents: the audit Deployment's arguments, and for a webhook
served outside the cluster an ExternalName Service and the port the webhook configurations name.
"""

import copy

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: gatekeeper_manifest
short_description: Set the audit arguments and the webhook's address in Gatekeeper's upstream manifest
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Takes the documents of Gatekeeper's C(deploy/gatekeeper.yaml) and returns them with the arguments of the
    C(gatekeeper-audit) Deployment set to O(audit_interval), O(violations_limit) and O(audit_match_kind_only)
    (an argument upstream already passes is replaced, not repeated).
  - With O(webhook_external), the C(gatekeeper-webhook-service) Service becomes an C(ExternalName) Service for
    its C(host), and every webhook of the two webhook configurations names its C(port). kube-apiserver then
    calls the webhook at that address and still checks the certificate for
    C(gatekeeper-webhook-service.gatekeeper-system.svc), the name Gatekeeper's certificate rotation issues.
  - Any other document is returned as it is.
options:
  _input:
    description: The manifest's documents, as M(hubspoke.multicluster.manifest_changes) returns them.
    type: list
    elements: dict
    required: true
  audit_interval:
    description: Seconds between two audits, C(--audit-interval).
    type: int
    default: 60
  violations_limit:
    description: Violations kept in each Constraint's status, C(--constraint-violations-limit).
    type: int
    default: 20
  audit_match_kind_only:
    description: Audit only the kinds some Constraint matches, C(--audit-match-kind-only).
    type: bool
    default: true
  webhook_external:
    description: C(host) and C(port) where the webhook is served outside the cluster; empty for in-cluster.
    type: dict
"""

EXAMPLES = r"""
- name: Apply Gatekeeper with audits every two minutes
  kubernetes.core.k8s:
    definition: "{{ manifest.definitions | hubspoke.multicluster.gatekeeper_manifest(audit_interval=120) }}"
"""

RETURN = r"""
_value:
  description: The documents, ready for M(kubernetes.core.k8s).
  type: list
  elements: dict
"""

AUDIT_DEPLOYMENT = "gatekeeper-audit"
WEBHOOK_SERVICE = "gatekeeper-webhook-service"
WEBHOOK_CONFIGURATIONS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")


def _set_args(args, settings):
    """args with each `--flag=value` of settings, replacing the flag's upstream value where it has one."""
    kept = [arg for arg in args if arg.split("=", 1)[0] not in settings]
    return kept + ["{0}={1}".format(flag, value) for flag, value in settings.items()]


def _external(webhook_external):
    host, port = webhook_external.get("host"), webhook_external.get("port")
    try:
        port = int(port)
    except (TypeError, ValueError):
        port = 0
    if not host or not 0 < port < 65536:
        raise AnsibleFilterError("gatekeeper_webhook_external needs a host and a port (1-65535), got {0!r}"
                                 .format(webhook_external))
    return host, port


def gatekeeper_manifest(docs, audit_interval=60, violations_limit=20, audit_match_kind_only=True,
                        webhook_external=None):
    settings = {"--audit-interval": int(audit_interval), "--constraint-violations-limit": int(violations_limit),
                "--audit-match-kind-only": "true" if audit_match_kind_only else "false"}
    external = _external(webhook_external) if webhook_external else None
    out = []
    for doc in docs:
        doc = copy.deepcopy(doc)
        kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name")
        if kind == "Deployment" and name == AUDIT_DEPLOYMENT:
            for container in doc["spec"]["template"]["spec"]["containers"]:
                if container.get("name") == "manager":
                    container["args"] = _set_args(container.get("args") or [], settings)
        elif external and kind == "Service" and name == WEBHOOK_SERVICE:
            port = doc["spec"]["ports"][0]
            doc["spec"] = {"type": "ExternalName", "externalName": external[0],
                           "ports": [{"name": port.get("name", "https-webhook-server"), "port": external[1]}]}
        elif external and kind in WEBHOOK_CONFIGURATIONS:
            for webhook in doc.get("webhooks") or []:
                service = (webhook.get("clientConfig") or {}).get("service")
                if service and service.get("name") == WEBHOOK_SERVICE:
                    service["port"] = external[1]
        out.append(doc)
    return out


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"gatekeeper_manifest": gatekeeper_manifest}
