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
  - With C(run_once=true) the task probes every host of the play (of its batch, with C(serial)) at once, up to
    O(concurrency) at a time, in one module run, and returns them under RV(clusters) keyed by host name; with
    C(register) every host of the play gets that result, so C(status.clusters[inventory_hostname]) is its own.
    Each host is reached by its own C(hubspoke_connection), as the P(hubspoke.multicluster.cluster#connection)
    connection plugin reaches it. That costs one task however many clusters there are, where a task per host
    costs Ansible a worker and a module run for each.
options:
  fail_on_unreachable:
    description: Fail the task when the API server cannot be reached, instead of returning RV(reachable=false).
    type: bool
    default: false
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.attributes
  - hubspoke.multicluster.attributes.INFO_MODULE
  - hubspoke.multicluster.fleet_read
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

- name: Probe every cluster of the play in one task
  hubspoke.multicluster.cluster_status:
  run_once: true
  register: fleet

- name: Each host looks up its own result
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} ready={{ fleet.clusters[inventory_hostname].ready }}"

- name: Stop if any cluster of the play does not answer
  ansible.builtin.assert:
    that: fleet.unreachable_clusters | length == 0
    fail_msg: "unreachable: {{ fleet.unreachable_clusters | join(', ') }}"
  run_once: true
"""

RETURN = r"""
reachable:
  description: Whether the API server answered C(/version).
  returned: when the task probes its own host
  type: bool
  sample: true
ready:
  description: Whether C(/readyz) answered ok.
  returned: when the task probes its own host
  type: bool
  sample: true
version:
  description: The server's version; empty when unreachable.
  returned: when the task probes its own host
  type: dict
  sample: {"git_version": "v1.36.3", "major": "1", "minor": "36", "platform": "linux/amd64"}
nodes:
  description: Number of nodes and of nodes whose Ready condition is True.
  returned: when the task probes its own host
  type: dict
  sample: {"total": 3, "ready": 3}
failed_checks:
  description: Names of the C(/readyz) checks that failed, when not ready.
  returned: when the task probes its own host
  type: list
  elements: str
  sample: ["etcd"]
cluster_id:
  description: The UID of the cluster's C(kube-system) Namespace, the identity Karmada and Submariner use; empty
    when unreachable or not readable.
  returned: when the task probes its own host
  type: str
  sample: 1c3f4b1e-8a5e-4f8e-9d2a-6c0e3c1f0b7d
msg:
  description: Why the cluster is unreachable or partly unreadable; empty when all is well.
  returned: when the task probes its own host
  type: str
  sample: "cannot reach https://127.0.0.1:16010: Connection refused"
clusters:
  description:
    - With C(run_once=true), every host's status by host name, each with the keys RV(reachable) to RV(msg)
      above. A host without a C(hubspoke_connection), or whose connection cannot be read, is unreachable with
      the reason in its C(msg).
  returned: when the task runs once
  type: dict
  sample: {"spoke-1": {"reachable": true, "ready": true, "version": {"git_version": "v1.36.3"},
           "nodes": {"total": 1, "ready": 1}, "failed_checks": [], "cluster_id": "1c3f4b1e", "msg": ""}}
unreachable_clusters:
  description:
    - With C(run_once=true), the hosts whose clusters did not answer, sorted.
    - Ansible would take a key named C(unreachable) for the task's own host being unreachable, hence this name.
  returned: when the task runs once
  type: list
  elements: str
  sample: ["spoke-7"]
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.cluster_status import (
    OPTIONS,
    status_of,
    statuses_of,
    unreachable,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import handed_over
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module


def fleet(module, kubeconfigs, problems):
    clusters = statuses_of({host: {"kubeconfig": doc} for host, doc in kubeconfigs.items()},
                           module.params["timeout"], module.params["concurrency"])
    clusters.update({host: unreachable(msg) for host, msg in problems.items()})
    down = sorted(host for host, status in clusters.items() if not status["reachable"])
    if module.params["fail_on_unreachable"] and down:
        module.fail_json(msg="cannot reach the clusters of {0}".format(", ".join(down)), changed=False,
                         clusters=clusters, unreachable_clusters=down)
    module.exit_json(changed=False, clusters=clusters, unreachable_clusters=down)


def main():
    module = cluster_module(OPTIONS)
    handed = handed_over()
    if handed is not None:
        fleet(module, *handed)  # exits
    status = status_of(module)
    if module.params["fail_on_unreachable"] and not status["reachable"]:
        module.fail_json(changed=False, **status)
    module.exit_json(changed=False, **status)


if __name__ == "__main__":
    main()
