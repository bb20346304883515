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
  - Beyond the CLI, O(rbac) grants a least-privilege GitOps preset, read-only or custom rules instead of full
    access; a spoke whose connection does not verify TLS is refused unless O(allow_insecure) says so.
  - After the hub holds the token in use, every other token Secret of the ServiceAccount is deleted, so a
    rotation that failed midway leaves no valid token behind once a later run succeeds.
  - Two runs for the same spoke (or the same name) take turns through Leases on the hub, and the hub Secret
    is only written over the version read, so concurrent register and rotate runs never leave the hub with a
    revoked token; a server already registered under another name is refused.
  - Every object goes through kubernetes.core's apply logic, so check mode uses server-side dry run and
    diffs are real; the hub Secret's data (the token) is hidden in results and diffs.
  - With O(spokes) and C(run_once=true), one task registers many spokes at once, each an inventory host reached
    by its own C(hubspoke_connection) (as the P(hubspoke.multicluster.cluster#connection) connection reaches
    it), up to O(concurrency) at a time, and returns each spoke's result under RV(clusters); each hub is read
    once for all its spokes. M(hubspoke.multicluster.host_result) then reports each host's part as its own.
    The P(hubspoke.multicluster.argocd_cluster#role) role registers its play's spokes so.
  - Written here because no maintained module does this; Argo CD's own CLI needs a running API server and login.
options:
  spokes:
    description:
      - Register these inventory hosts in one task run once (C(run_once=true)). Keys are host names; each value
        is a dict of this module's options for that spoke (O(name), O(labels), O(hub)...), over the task's own.
      - A spoke whose connection cannot be read, whose options do not validate or whose registration fails is
        reported failed in RV(clusters) and does not stop the others; the task itself fails for none of them.
    type: dict
  concurrency:
    description: With O(spokes), how many spokes are registered at a time.
    type: int
    default: 20
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
  action:
    description: Indicates this has a corresponding action plugin, which runs on the controller.
    support: full
    details: With O(spokes) the action plugin reads the connection of every spoke it names.
requirements:
  - kubernetes >= 24.2.0
notes:
  - The token in use is the spoke token Secret whose token the hub Secret holds; nothing else keeps state.
  - A spoke registered to several hubs needs one O(service_account) per hub, otherwise rotating for one hub
    revokes the token of the others.
  - Safe for many spokes in parallel (forks) - each spoke writes only its own objects and its own hub Secret.
  - Every request has a timeout (10 s to connect, 60 s to answer), so a server that never answers fails the task.
  - Bound tokens (O(token_expiration)) answer argo-cd issues 9610 and 16035; exec plugins and workload identity
    are not implemented.
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

- name: Register three spokes in one task, each with its own labels
  hubspoke.multicluster.argocd_cluster:
    hub: "{{ hostvars['hub'].hubspoke_connection }}"
    rbac: gitops
    spokes:
      spoke-1:
        labels: {env: production}
      spoke-2:
        labels: {env: production}
      spoke-3:
        labels: {env: staging}
        namespaces: [team-a]
  run_once: true
  register: registered

- name: Each spoke reports its own registration
  hubspoke.multicluster.host_result:
    result: "{{ registered }}"
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
  description: Name of the spoke's token Secret the hub uses (with O(token_expiration), of the token's anchor Secret).
  returned: when state is present
  type: str
  sample: argocd-manager-long-lived-token
rotated:
  description: Whether the token was rotated by this run.
  returned: when state is present
  type: bool
hub_secret:
  description:
    - The hub Secret as stored, with every data value replaced by C(VALUE_HIDDEN), and without C(managedFields)
      and C(kubectl.kubernetes.io/last-applied-configuration), which could hold an earlier token.
  returned: when state is present and the spoke has a token
  type: dict
token_expires:
  description: When the hub's bound token expires (UTC).
  returned: when state is present with O(token_expiration), and not in check mode
  type: str
  sample: "2027-01-01T00:00:00Z"
insecure:
  description: Whether Argo CD reaches the spoke without verifying TLS (only with O(allow_insecure)).
  returned: when state is present
  type: bool
spoke_reachable:
  description: V(false) when the spoke did not answer and only the hub Secret was deleted.
  returned: when state is absent and the spoke did not answer
  type: bool
clusters:
  description:
    - With O(spokes), each spoke's result by host name, with the return values above, C(changed), and C(failed)
      and C(msg) for a spoke that failed.
  returned: with spokes
  type: dict
  sample:
    spoke-1:
      changed: false
      server: https://10.0.0.1:6443
      secret_name: cluster-10.0.0.1-3520361325
left_on_spoke:
  description: What stays on a spoke that did not answer, as C(Kind namespace/name).
  returned: when state is absent and the spoke did not answer
  type: list
  elements: str
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster import OPTIONS
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_fleet import (
    FLEET_OPTIONS,
    REQUIRED_IF,
    Registrations,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import run_module
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module


def main():
    module = cluster_module(dict(OPTIONS, **FLEET_OPTIONS), second="hub", second_required=False,
                            required_if=REQUIRED_IF, required_one_of=[("name", "spokes"), ("hub", "spokes")])
    run_module(module, Registrations())


if __name__ == "__main__":
    main()
