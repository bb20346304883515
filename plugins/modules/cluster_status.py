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

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.cluster_status import OPTIONS, status_of
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module


def main():
    module = cluster_module(OPTIONS)
    status = status_of(module)
    if module.params["fail_on_unreachable"] and not status["reachable"]:
        module.fail_json(changed=False, **status)
    module.exit_json(changed=False, **status)


if __name__ == "__main__":
    main()
