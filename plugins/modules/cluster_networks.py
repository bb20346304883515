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

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module, run_on_cluster
from ansible_collections.hubspoke.multicluster.plugins.module_utils.networks.cluster_networks import OPTIONS, networks_of


def main():
    run_on_cluster(cluster_module(OPTIONS), networks_of)


if __name__ == "__main__":
    main()
