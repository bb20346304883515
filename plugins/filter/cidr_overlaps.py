# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.cidr_overlaps: which clusters' pod and service ranges overlap."""

from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError
from ansible_collections.hubspoke.multicluster.plugins.module_utils.networks.cluster_networks import describe, overlaps

DOCUMENTATION = r"""
name: cidr_overlaps
short_description: The pairs of clusters whose pod or service ranges overlap
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Compares every cluster's pod and service ranges with every other cluster's, as Submariner requires unless
    Globalnet is on, and returns one entry per overlapping pair of ranges, naming both clusters and both ranges.
  - The input is what M(hubspoke.multicluster.cluster_networks) returns, per cluster; a range that is not a CIDR
    fails the filter, naming it.
options:
  _input:
    description: Cluster name to C({pod_cidrs, service_cidrs}).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Refuse overlapping clusters
  ansible.builtin.assert:
    that: conflicts | length == 0
    fail_msg: "{{ conflicts | map(attribute='message') | join('; ') }}"
  vars:
    conflicts: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'networks')))
         | hubspoke.multicluster.cidr_overlaps }}
"""

RETURN = r"""
_value:
  description: One entry per overlap, C(clusters), C(ranges), C(kinds) (pod or service) and a C(message).
  type: list
  elements: dict
"""


def cidr_overlaps(networks):
    try:
        return [dict(found, message=describe(found)) for found in overlaps(networks or {})]
    except ClusterError as err:
        raise AnsibleFilterError("cidr_overlaps: {0}".format(err)) from None


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"cidr_overlaps": cidr_overlaps}
