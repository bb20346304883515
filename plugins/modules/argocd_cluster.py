#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: argocd_cluster
short_description: Register a Kubernetes cluster to an Argo CD hub, as argocd cluster add does
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - On the spoke (the cluster the connection options reach) creates the C(argocd-manager) ServiceAccount in
    C(kube-system), its ClusterRole and ClusterRoleBinding (or a Role and RoleBinding per namespace with
    O(namespaces)) and a long-lived token Secret, and waits for the token.
  - On the hub (O(hub)) creates the Argo CD cluster Secret C(cluster-<host>-<hash>) with C(name), C(server),
    C(config) (bearer token, CA data, TLS verified), the optional C(namespaces), C(clusterResources),
    C(project) and C(shard), and the given labels and annotations. Argo CD uses it unchanged.
  - Labels and annotations are updated in place on later runs; labels the hub Secret has and O(labels) no
    longer lists are removed, so the hub follows the inventory.
  - Beyond the CLI, O(rbac) grants read-only or custom rules instead of full access.
  - Every object goes through kubernetes.core's apply logic, so check mode uses server-side dry run and
    diffs are real; the hub Secret's data (the token) is hidden in results and diffs.
  - Written here because no maintained module does this; Argo CD's own CLI needs a running API server and login.
extends_documentation_fragment:
  - hubspoke.multicluster.argocd_cluster
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.second_cluster.hub
  - hubspoke.multicluster.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The hub Secret's data is shown as C(VALUE_HIDDEN).
requirements:
  - kubernetes >= 24.2.0
notes:
  - The token in use is the spoke token Secret whose token the hub Secret holds; nothing else keeps state.
  - A spoke registered to several hubs needs one O(service_account) per hub, otherwise rotating for one hub
    revokes the token of the others.
  - Safe for many spokes in parallel (forks) - each spoke writes only its own objects and its own hub Secret.
  - TokenRequest-based short-lived tokens (exec plugins, workload identity) are not implemented.
"""

EXAMPLES = r"""
# In a play over the spokes of the clusters inventory (each reached through its own connection):
- name: Register the spoke with its inventory labels
  hubspoke.multicluster.argocd_cluster:
    name: "{{ inventory_hostname }}"
    labels: "{{ hubspoke_labels }}"
    hub: "{{ hostvars['hub'].hubspoke_connection }}"

- name: Namespace-scoped, read-only registration for a team
  hubspoke.multicluster.argocd_cluster:
    name: team-a-prod
    namespaces: [team-a]
    rbac: read-only
    project: team-a
    hub:
      context: hub

- name: Rotate the token when it is older than 90 days
  hubspoke.multicluster.argocd_cluster:
    name: "{{ inventory_hostname }}"
    labels: "{{ hubspoke_labels }}"
    token_max_age: 90d
    hub:
      context: hub

- name: Deregister
  hubspoke.multicluster.argocd_cluster:
    name: "{{ inventory_hostname }}"
    state: absent
    hub:
      context: hub
"""

RETURN = r"""
server:
  description: The API URL registered for the spoke.
  returned: always
  type: str
  sample: https://10.0.0.1:6443
secret_name:
  description: Name of the Argo CD cluster Secret on the hub.
  returned: always
  type: str
  sample: cluster-10.0.0.1-3520361325
token_secret:
  description: Name of the spoke's token Secret the hub uses.
  returned: when state is present
  type: str
  sample: argocd-manager-long-lived-token
rotated:
  description: Whether the token was rotated by this run.
  returned: when state is present
  type: bool
hub_secret:
  description: The hub Secret as stored, with every data value replaced by C(VALUE_HIDDEN).
  returned: when state is present and the spoke has a token
  type: dict
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster import OPTIONS, register
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module, run_on_two_clusters


def main():
    module = cluster_module(OPTIONS, second="hub", required_if=[("rbac", "custom", ["rules"])])
    run_on_two_clusters(module, ("spoke", "hub"), "hub", register)


if __name__ == "__main__":
    main()
