# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.override_policy: a Karmada OverridePolicy whose rules target inventory groups."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.karmada_policy import (
    API_VERSION,
    cluster_affinity,
    fail,
    metadata,
    resource_selectors,
)

DOCUMENTATION = r"""
name: override_policy
short_description: Build a Karmada OverridePolicy whose rules target inventory groups
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns a C(policy.karmada.io/v1alpha1) OverridePolicy, or a ClusterOverridePolicy when O(_input.namespace)
    is not set, with one override rule per item of O(_input.rules).
  - Each rule targets clusters like a propagation policy (C(groups), C(clusters), C(selector), C(exclude)) and
    carries Karmada C(overriders) as they are, plus shorthands C(image_registry) (imageOverrider replacing the
    registry) and C(replicas) (plaintext replace of C(/spec/replicas)).
  - An unknown group or a group without hosts is an error naming the policy.
options:
  _input:
    description: The policy's settings, an item of the role variable C(karmada_policies_override).
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
      rules:
        description: Override rules, each with a target (C(groups), C(clusters), C(selector), C(exclude)) and overriders.
        type: list
        elements: dict
        required: true
  groups:
    description: The inventory's groups, C(groups).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Shanghai pulls from its own registry
  kubernetes.core.k8s:
    definition: >-
      {{ {'name': 'nginx-registry', 'namespace': 'default',
          'resources': [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'nginx'}],
          'rules': [{'groups': ['region_cn_shanghai'], 'image_registry': 'registry.cn-shanghai.example.com'}]}
         | hubspoke.multicluster.override_policy(groups) }}
"""

RETURN = r"""
_value:
  description: The OverridePolicy or ClusterOverridePolicy, ready for M(kubernetes.core.k8s).
  type: dict
"""

TARGET_KEYS = ("groups", "clusters", "selector", "exclude")


def _overriders(policy, rule):
    overriders = dict(rule.get("overriders") or {})
    if rule.get("image_registry"):
        overriders.setdefault("imageOverrider", []).append(
            {"component": "Registry", "operator": "replace", "value": rule["image_registry"]})
    if rule.get("replicas") is not None:
        overriders.setdefault("plaintext", []).append(
            {"path": "/spec/replicas", "operator": "replace", "value": int(rule["replicas"])})
    if not overriders:
        fail(policy, "a rule has no overriders (overriders, image_registry or replicas)")
    return overriders


def override_policy(policy, groups):
    kind_prefix, meta = metadata(policy, "Cluster")
    rules = []
    for rule in policy.get("rules") or []:
        target = {k: v for k, v in rule.items() if k in TARGET_KEYS}
        entry = {"overriders": _overriders(policy, rule)}
        affinity = cluster_affinity(policy, target, groups, "rule target")
        if affinity:
            entry["targetCluster"] = affinity
        rules.append(entry)
    if not rules:
        fail(policy, "rules is empty")
    return {"apiVersion": API_VERSION, "kind": kind_prefix + "OverridePolicy", "metadata": meta,
            "spec": {"resourceSelectors": resource_selectors(policy), "overrideRules": rules}}


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"override_policy": override_policy}
