#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: karmada_member
short_description: Join a Kubernetes cluster to a Karmada control plane, as karmadactl join does
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - On the member (the cluster the connection options reach) creates the namespace C(karmada-cluster), the
    ServiceAccount C(karmada-<name>) with the ClusterRole and ClusterRoleBinding
    C(karmada-controller-manager:karmada-<name>), the ServiceAccount C(karmada-impersonator), and a token
    Secret for each, and waits for the tokens.
  - On the control plane (O(control_plane), Karmada's API server) creates the Secrets C(<name>) (caBundle,
    token) and C(<name>-impersonator), owned by the C(Cluster) object C(<name>) in Push mode with
    C(apiEndpoint), C(id) (the member's C(kube-system) UID), C(secretRef), C(impersonatorSecretRef), and the
    optional provider, region and zones.
  - Beyond the CLI, O(labels) go on the C(Cluster) (so PropagationPolicies can select by inventory labels) and
    follow the inventory on later runs; a second run changes nothing; O(state=absent) unjoins, waits until
    Karmada has cleaned up, and removes what the join created on both sides. The member's cluster namespace
    is deleted only if the join created it (it carries C(app.kubernetes.io/managed-by=hubspoke.multicluster)).
  - A member that does not answer is unjoined on the control plane only, with a warning naming what stays on
    the member (RV(left_on_member)).
  - Refuses a control plane without the C(cluster.karmada.io) API, a name already joined for another member,
    and a member already joined under another name.
  - Every object goes through kubernetes.core's apply logic, so check mode uses server-side dry run and diffs are
    real; Secret data never appears in results or diffs.
  - Written here because no maintained module does this; karmadactl is a CLI without idempotence or labels.
  - With O(sync_mode=Pull), as C(karmadactl register) does, the member runs karmada-agent instead. On the control
    plane, the agent's RBAC (C(system:karmada:<name>:agent), C(-work), C(-secret)) bound to a ServiceAccount
    C(karmada-agent-<name>) with a long-lived token (karmadactl gets a client certificate through a CSR instead).
    On the member, in C(karmada-system), the Secret C(karmada-kubeconfig), the agent's ServiceAccount and RBAC and
    the C(karmada-agent) Deployment. The agent creates the C(Cluster) itself; once it exists, runs of this module
    keep its labels in step with O(labels).
  - With O(members) and C(run_once=true), one task joins many members at once, each an inventory host reached
    by its own C(hubspoke_connection) (as the P(hubspoke.multicluster.cluster#connection) connection reaches
    it), up to O(concurrency) at a time, and returns each member's result under RV(clusters); each Karmada API
    server gets one client for all its members. M(hubspoke.multicluster.host_result) then reports each host's
    part as its own. The P(hubspoke.multicluster.karmada_member#role) role joins its play's members so.
options:
  members:
    description:
      - Join these inventory hosts in one task run once (C(run_once=true)). Keys are host names; each value is a
        dict of this module's options for that member (O(name), O(labels), O(control_plane)...), over the task's
        own.
      - A member whose connection cannot be read, whose options do not validate or whose join fails is reported
        failed in RV(clusters) and does not stop the others; the task itself fails for none of them.
    type: dict
  concurrency:
    description: With O(members), how many members are joined at a time.
    type: int
    default: 20
extends_documentation_fragment:
  - hubspoke.multicluster.karmada_member
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.second_cluster.control_plane
  - hubspoke.multicluster.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff is the C(Cluster) object's.
  action:
    description: Indicates this has a corresponding action plugin, which runs on the controller.
    support: full
    details: With O(members) the action plugin reads the connection of every member it names.
notes:
  - The connection options reach the member; O(control_plane) reaches Karmada's API server, not its host cluster.
  - Safe to run for many members in parallel (forks); each writes only objects named after itself.
seealso:
  - name: karmadactl join
    description: The CLI this module follows.
    link: https://karmada.io/docs/reference/karmadactl/karmadactl-commands/karmadactl_join
"""

EXAMPLES = r"""
- name: Join every spoke to Karmada with its inventory labels
  hubspoke.multicluster.karmada_member:
    name: "{{ inventory_hostname }}"
    labels: "{{ hubspoke_labels }}"
    region: "{{ hubspoke_labels.region | default(omit) }}"
    control_plane: "{{ hostvars['hub'].karmada_control_plane_api }}"

- name: Unjoin
  hubspoke.multicluster.karmada_member:
    name: "{{ inventory_hostname }}"
    state: absent
    control_plane:
      kubeconfig: /etc/karmada/karmada-apiserver.config

- name: Join three spokes in one task, each with its labels, and wait until Karmada reports them Ready
  hubspoke.multicluster.karmada_member:
    control_plane: "{{ hostvars['hub'].karmada_control_plane_api }}"
    wait_ready: true
    members:
      spoke-1:
        labels: {region: cn-hangzhou}
        region: cn-hangzhou
      spoke-2:
        labels: {region: cn-shanghai}
        region: cn-shanghai
      spoke-3: {}
  run_once: true
  no_log: true  # control_plane carries Karmada's admin key
  register: joined

- name: Each spoke reports its own join
  hubspoke.multicluster.host_result:
    result: "{{ joined }}"
"""

RETURN = r"""
api_endpoint:
  description: The member API URL given to Karmada.
  returned: when state is present
  type: str
  sample: https://10.0.0.2:6443
cluster_id:
  description: The member's identity as Karmada records it (the UID of its kube-system namespace).
  returned: when state is present
  type: str
cluster:
  description: The C(Cluster) object as stored (in Pull mode, once the agent has created it).
  returned: when state is present and not in check mode on a new member
  type: dict
rotated:
  description: Whether this run issued new member tokens (O(rotate)).
  returned: when state is present in Push mode and not in check mode on a new member
  type: bool
insecure:
  description: Whether Karmada reaches the member without verifying TLS (only with O(allow_insecure)).
  returned: when state is present in Push mode
  type: bool
member_reachable:
  description: V(false) when the member did not answer and was unjoined on the control plane only.
  returned: when state is absent and the member did not answer
  type: bool
clusters:
  description:
    - With O(members), each member's result by host name, with the return values above, C(changed), and
      C(failed) and C(msg) for a member that failed.
  returned: with members
  type: dict
  sample:
    spoke-1:
      changed: false
      api_endpoint: https://10.0.0.2:6443
      cluster_id: 5a4c1f0e-8b7d-4b1e-9a34-0f1d2c3b4a59
left_on_member:
  description: What stays on a member that did not answer, as C(Kind namespace/name).
  returned: when state is absent and the member did not answer
  type: list
  elements: str
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import run_module
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.member import OPTIONS
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.member_fleet import FLEET_OPTIONS, Joins
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module


def main():
    module = cluster_module(dict(OPTIONS, **FLEET_OPTIONS), second="control_plane", second_required=False,
                            required_one_of=[("name", "members"), ("control_plane", "members")])
    run_module(module, Joins())


if __name__ == "__main__":
    main()
