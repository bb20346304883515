# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.cluster_api_readiness: which declared Clusters can be registered, and what the
others still miss, in Cluster API's own words (its v1beta2 conditions) and the kubeconfig Secret."""

DOCUMENTATION = r"""
name: cluster_api_readiness
short_description: Per declared Cluster, whether it is provisioned, or which conditions it misses
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - A Cluster is ready when its C(InfrastructureReady) and C(ControlPlaneInitialized) conditions are C(True)
    (Cluster API v1beta2) and its C(<name>-kubeconfig) Secret exists, which is what a registration needs.
  - Returns, per item name, C(ready), C(missing) (those of the three that are not there, in that order, or
    C(Cluster) when the Cluster does not exist) and C(phase).
options:
  _input:
    description: The Cluster objects read from the management cluster (M(kubernetes.core.k8s_info)).
    type: list
    elements: dict
    required: true
  secrets:
    description: The Secrets read from the Clusters' namespaces.
    type: list
    elements: dict
    required: true
  items:
    description: The declared clusters (P(hubspoke.multicluster.cluster_api_items#filter) output).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Tell which clusters are ready
  ansible.builtin.set_fact:
    readiness: "{{ clusters.resources | hubspoke.multicluster.cluster_api_readiness(secrets.resources, items) }}"
"""

RETURN = r"""
_value:
  description: "C({name: {ready, missing, phase}})."
  type: dict
"""

CONDITIONS = ("InfrastructureReady", "ControlPlaneInitialized")


def _true(obj, condition):
    return any(c.get("type") == condition and c.get("status") == "True"
               for c in ((obj.get("status") or {}).get("conditions") or []))


def cluster_api_readiness(clusters, secrets, items):
    by_key = {((c.get("metadata") or {}).get("namespace"), (c.get("metadata") or {}).get("name")): c
              for c in clusters or []}
    secret_keys = {((s.get("metadata") or {}).get("namespace"), (s.get("metadata") or {}).get("name"))
                   for s in secrets or []}
    out = {}
    for item in items:
        obj = by_key.get((item["namespace"], item["name"]))
        if obj is None:
            out[item["name"]] = {"ready": False, "missing": ["Cluster"], "phase": None}
            continue
        missing = [c for c in CONDITIONS if not _true(obj, c)]
        if (item["namespace"], item["name"] + "-kubeconfig") not in secret_keys:
            missing.append("kubeconfig Secret {0}-kubeconfig".format(item["name"]))
        out[item["name"]] = {"ready": not missing, "missing": missing, "phase": (obj.get("status") or {}).get("phase")}
    return out


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"cluster_api_readiness": cluster_api_readiness}
