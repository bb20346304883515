# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.propagation_policy: a Karmada PropagationPolicy whose clusters are inventory groups."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.karmada_policy import (
    API_VERSION,
    cluster_affinity,
    fail,
    group_hosts,
    metadata,
    resource_selectors,
)

DOCUMENTATION = r"""
name: propagation_policy
short_description: Build a Karmada PropagationPolicy from inventory groups, labels and weights
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns a C(policy.karmada.io/v1alpha1) PropagationPolicy, or a ClusterPropagationPolicy when
    O(_input.namespace) is not set.
  - Clusters are named by inventory group (a Karmada member's name is its inventory host name), by name, or by a
    label selector over the inventory labels the karmada_member role puts on the C(Cluster) objects.
  - O(_input.weights) gives static weights per inventory group or cluster and makes the scheduling C(Divided)
    and C(Weighted).
  - An unknown group, a group without hosts, or a weight that names no cluster is an error naming the policy.
options:
  _input:
    description: The policy's settings, an item of the role variable C(karmada_policies_propagation).
    type: dict
    required: true
    suboptions:
      name:
        description: Name of the policy.
        type: str
        required: true
      namespace:
        description: Namespace of the policy and of the resources; without it the policy is cluster-wide.
        type: str
      resources:
        description: Karmada resourceSelectors (C(apiVersion), C(kind), and C(name), C(namespace) or C(labelSelector)).
        type: list
        elements: dict
        required: true
      placement:
        description: Target clusters, C(groups) (inventory groups), C(clusters) (names), C(selector) (LabelSelector), C(exclude).
        type: dict
      scheduling:
        description: C(Duplicated) (every cluster gets all replicas) or C(Divided) (replicas are split).
        type: str
        default: Duplicated
      weights:
        description: Static weight per inventory group or cluster name; implies C(Divided) by weight.
        type: dict
      propagate_deps:
        description: Propagate the ConfigMaps and Secrets the workloads use, too.
        type: bool
        default: false
      priority:
        description: Priority among policies that match the same resource.
        type: int
  groups:
    description: The inventory's groups, C(groups).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: nginx, 2 replicas in Hangzhou for 1 in Shanghai
  kubernetes.core.k8s:
    definition: >-
      {{ {'name': 'nginx', 'namespace': 'default',
          'resources': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'nginx'}],
          'placement': {'groups': ['region_cn_hangzhou', 'region_cn_shanghai']},
          'weights': {'region_cn_hangzhou': 2, 'region_cn_shanghai': 1}}
         | hubspoke.multicluster.propagation_policy(groups) }}
"""

RETURN = r"""
_value:
  description: The PropagationPolicy or ClusterPropagationPolicy, ready for M(kubernetes.core.k8s).
  type: dict
"""


def _weights(policy, groups):
    weights = []
    for target, weight in sorted((policy.get("weights") or {}).items()):
        if target in groups:
            names = group_hosts(policy, target, groups)
        elif target in groups.get("all", []):
            names = [target]
        else:
            fail(policy, "weight {0!r} names no inventory group or cluster".format(target))
        if not isinstance(weight, int) or weight < 1:
            fail(policy, "weight of {0!r} must be a positive integer, got {1!r}".format(target, weight))
        weights.append({"targetCluster": {"clusterNames": sorted(names)}, "weight": weight})
    return weights


def propagation_policy(policy, groups):
    kind_prefix, meta = metadata(policy, "Cluster")
    placement = {}
    affinity = cluster_affinity(policy, policy.get("placement"), groups, "placement")
    if affinity:
        placement["clusterAffinity"] = affinity
    weights = _weights(policy, groups)
    scheduling = policy.get("scheduling") or ("Divided" if weights else "Duplicated")
    if scheduling not in ("Duplicated", "Divided"):
        fail(policy, "scheduling must be Duplicated or Divided, got {0!r}".format(scheduling))
    if weights and scheduling != "Divided":
        fail(policy, "weights split replicas, so scheduling must be Divided")
    replica = {"replicaSchedulingType": scheduling}
    if scheduling == "Divided":
        replica["replicaDivisionPreference"] = "Weighted"
        replica["weightPreference"] = ({"staticWeightList": weights} if weights
                                       else {"dynamicWeight": "AvailableReplicas"})
        named = set(affinity.get("clusterNames") or [])
        if named and weights:
            stray = sorted({n for w in weights for n in w["targetCluster"]["clusterNames"]} - named)
            if stray:
                fail(policy, "weights name clusters outside the placement: {0}".format(", ".join(stray)))
    placement["replicaScheduling"] = replica
    spec = {"resourceSelectors": resource_selectors(policy), "placement": placement}
    if policy.get("propagate_deps"):
        spec["propagateDeps"] = True
    if policy.get("priority") is not None:
        spec["priority"] = int(policy["priority"])
    return {"apiVersion": API_VERSION, "kind": kind_prefix + "PropagationPolicy", "metadata": meta, "spec": spec}


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"propagation_policy": propagation_policy}
