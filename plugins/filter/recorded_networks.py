# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.recorded_networks: the ranges a Submariner broker records for clusters already joined."""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.networks.recorded_networks import recorded_networks

DOCUMENTATION = r"""
name: recorded_networks
short_description: The pod and service ranges a Submariner broker records for its members
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Turns what the broker namespace holds into the input of P(hubspoke.multicluster.cidr_overlaps#filter), so a
    CIDR preflight compares a joining cluster with every member already joined, not only with the play's hosts
    (a run with C(--limit) sees them too).
  - Reads the C(submariner.io/v1) C(Cluster) objects Submariner's gateways sync (C(spec.cluster_id),
    C(cluster_cidr), C(service_cidr)) and the C(multicluster.hubspoke.io/pod-cidrs) and C(service-cidrs)
    annotations the M(hubspoke.multicluster.submariner_join) role puts on each member's ServiceAccount; Submariner's
    record wins where both exist.
  - Keys are C(<cluster id> (joined)).
options:
  _input:
    description: The broker namespace's ServiceAccounts (C(resources) of M(kubernetes.core.k8s_info)).
    type: list
    elements: dict
    required: true
  clusters:
    description: The broker namespace's C(submariner.io/v1) C(Cluster) objects.
    type: list
    elements: dict
    default: []
  skip:
    description: Cluster IDs to leave out (the play's own clusters, whose ranges are read live).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Compare with the members already joined
  ansible.builtin.set_fact:
    recorded: "{{ broker_accounts.resources | hubspoke.multicluster.recorded_networks(skip=[my_cluster_id]) }}"
"""

RETURN = r"""
_value:
  description: C(<cluster id> (joined)) to C({pod_cidrs, service_cidrs}).
  type: dict
"""


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"recorded_networks": recorded_networks}
