#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cluster_networks
short_description: Read a Kubernetes cluster's pod and service ranges, for a CIDR-overlap preflight
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns the cluster's pod and service CIDRs and where each was read, in order of trust. Ranges given in
    O(pod_cidrs) and O(service_cidrs) (inventory variables), kubeadm's C(ClusterConfiguration) in
    C(kube-system/kubeadm-config), the C(ServiceCIDR) objects of C(networking.k8s.io/v1) for services, and the
    nodes' C(spec.podCIDRs) (collapsed into the ranges they tile) for pods.
  - Pair it with the P(hubspoke.multicluster.cidr_overlaps#filter) filter over the play's clusters to refuse a
    Submariner join whose ranges overlap, before anything changes.
  - Written here because Kubernetes keeps no single cluster-CIDR field and no maintained module reads one.
options:
  pod_cidrs:
    description: The pod ranges, when the inventory knows them better than the cluster (read nothing then).
    type: list
    elements: str
  service_cidrs:
    description: The service ranges, when the inventory knows them better than the cluster.
    type: list
    elements: str
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.attributes
  - hubspoke.multicluster.attributes.INFO_MODULE
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Read every spoke's ranges
  hubspoke.multicluster.cluster_networks:
    kubeconfig: "{{ hubspoke_kubeconfig }}"
    context: "{{ hubspoke_context }}"
    pod_cidrs: "{{ hubspoke_pod_cidrs | default(omit) }}"
  register: networks
"""

RETURN = r"""
pod_cidrs:
  description: The cluster's pod ranges; empty when nothing records them.
  returned: always
  type: list
  elements: str
  sample: ["10.244.0.0/16"]
service_cidrs:
  description: The cluster's service ranges; empty when nothing records them.
  returned: always
  type: list
  elements: str
  sample: ["10.96.0.0/12"]
sources:
  description: Where each was read, C(inventory), C(kubeadm-config), C(servicecidrs), C(nodes) or C(unknown).
  returned: always
  type: dict
  sample: {"pod": "nodes", "service": "servicecidrs"}
"""

import copy

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.hubspoke.multicluster.plugins.module_utils.client import (
    connection_error_reason,
    module_api_client,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.cluster_networks import read_networks

try:
    from kubernetes.client import CoreV1Api, CustomObjectsApi
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    pass


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(pod_cidrs=dict(type="list", elements="str"), service_cidrs=dict(type="list", elements="str"))
    return spec


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argspec(), supports_check_mode=True)
    client = module_api_client(module)
    try:
        networks = read_networks(CoreV1Api(client), CustomObjectsApi(client),
                                 module.params["pod_cidrs"], module.params["service_cidrs"])
    except Exception as err:  # pylint: disable=broad-exception-caught  # urllib3 and ApiException alike
        module.fail_json(msg="cannot read the networks of {0}: {1}".format(
            client.configuration.host, connection_error_reason(err)))
    module.exit_json(changed=False, **networks)


if __name__ == "__main__":
    main()
