#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cluster_status
short_description: Report whether a Kubernetes cluster answers, its version, readiness and Ready nodes
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Probes one cluster's API server with C(/version), C(/readyz) and the node list.
  - An unreachable cluster is reported as data (O(fail_on_unreachable=false), the default), so one down
    cluster does not fail a fleet-wide summary and failover playbooks can branch on RV(reachable). So is a
    connection no client can be built from (a missing CA file, say), with the reason in RV(msg).
  - Unlike M(kubernetes.core.k8s_cluster_info) it reads readiness and node health and does not run API discovery.
options:
  timeout:
    description: Seconds to wait for each request (connect and read).
    type: int
    default: 10
  fail_on_unreachable:
    description: Fail the task when the API server cannot be reached, instead of returning RV(reachable=false).
    type: bool
    default: false
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.attributes
  - hubspoke.multicluster.attributes.INFO_MODULE
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Report every cluster of the inventory
  hubspoke.multicluster.cluster_status:
    kubeconfig: "{{ hubspoke_kubeconfig }}"
    context: "{{ hubspoke_context }}"
  register: status

- name: Refuse to continue on a cluster that is not ready
  hubspoke.multicluster.cluster_status:
    context: spoke-1
    fail_on_unreachable: true
  register: spoke
  failed_when: not spoke.ready
"""

RETURN = r"""
reachable:
  description: Whether the API server answered C(/version).
  returned: always
  type: bool
  sample: true
ready:
  description: Whether C(/readyz) answered ok.
  returned: always
  type: bool
  sample: true
version:
  description: The server's version; empty when unreachable.
  returned: always
  type: dict
  sample: {"git_version": "v1.36.3", "major": "1", "minor": "36", "platform": "linux/amd64"}
nodes:
  description: Number of nodes and of nodes whose Ready condition is True.
  returned: always
  type: dict
  sample: {"total": 3, "ready": 3}
failed_checks:
  description: Names of the C(/readyz) checks that failed, when not ready.
  returned: always
  type: list
  elements: str
  sample: ["etcd"]
cluster_id:
  description: The UID of the cluster's C(kube-system) Namespace, the identity Karmada and Submariner use; empty
    when unreachable or not readable.
  returned: always
  type: str
  sample: 1c3f4b1e-8a5e-4f8e-9d2a-6c0e3c1f0b7d
msg:
  description: Why the cluster is unreachable or partly unreadable; empty when all is well.
  returned: always
  type: str
  sample: "cannot reach https://127.0.0.1:16010: Connection refused"
"""

import copy

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.hubspoke.multicluster.plugins.module_utils.client import api_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.cluster_status import probe, unreachable


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        timeout=dict(type="int", default=10),
        fail_on_unreachable=dict(type="bool", default=False),
    )
    return spec


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argspec(), supports_check_mode=True)
    try:
        status = probe(api_client(module), module.params["timeout"])
    except Exception as err:  # pylint: disable=broad-exception-caught  # a connection that builds no client
        status = unreachable("cannot build a client from the connection options: {0}".format(err))
    if module.params["fail_on_unreachable"] and not status["reachable"]:
        module.fail_json(changed=False, **status)
    module.exit_json(changed=False, **status)


if __name__ == "__main__":
    main()
