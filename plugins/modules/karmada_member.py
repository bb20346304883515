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
    Karmada has cleaned up, and removes what the join created on both sides.
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
options:
  name:
    description: The member's name in Karmada (the C(Cluster) object), usually C(inventory_hostname).
    type: str
    required: true
  api_endpoint:
    description: The API URL Karmada uses for the member. Defaults to the URL the connection options reach.
    type: str
  labels:
    description: Labels of the C(Cluster) object. Labels this module set before and no longer listed are removed.
    type: dict
    default: {}
  provider:
    description: The member's provider, for spread constraints.
    type: str
  region:
    description: The member's region, for spread constraints and C(fieldSelector) placement.
    type: str
  zones:
    description: The member's zones.
    type: list
    elements: str
  cluster_namespace:
    description: Namespace that holds the credentials on the control plane and the ServiceAccounts on the member.
    type: str
    default: karmada-cluster
  impersonator:
    description: Create the impersonator ServiceAccount and Secret (used by Karmada's cluster proxy), as karmadactl does.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the member's tokens, and for Karmada to finish removing the C(Cluster) on unjoin.
    type: int
    default: 60
  sync_mode:
    description:
      - C(Push), Karmada reaches the member with the member's token; C(Pull), karmada-agent on the member reaches
        Karmada. A member is unjoined before it can change mode.
    type: str
    choices: [Push, Pull]
    default: Push
  agent_image:
    description: Image of karmada-agent, in Pull mode.
    type: str
    default: docker.io/karmada/karmada-agent:v1.18.2
  control_plane_endpoint:
    description:
      - In Pull mode, the URL the agent on the member reaches Karmada's API server at. Defaults to the URL of
        O(control_plane).
    type: str
  state:
    description:
      - C(present) joins or updates the member; C(absent) unjoins it and cleans both sides, whichever mode it was
        joined in.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.second_cluster.control_plane
  - hubspoke.multicluster.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff is the C(Cluster) object's.
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
    kubeconfig: "{{ hubspoke_kubeconfig }}"
    context: "{{ hubspoke_context }}"
    name: "{{ inventory_hostname }}"
    labels: "{{ hubspoke_labels }}"
    region: "{{ hubspoke_labels.region | default(omit) }}"
    control_plane:
      kubeconfig: "{{ hostvars['hub'].hubspoke_karmada_kubeconfig }}"

- name: Unjoin
  hubspoke.multicluster.karmada_member:
    name: "{{ inventory_hostname }}"
    state: absent
    control_plane:
      kubeconfig: /etc/karmada/karmada-apiserver.config
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
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService
from ansible_collections.hubspoke.multicluster.plugins.module_utils import objects
from ansible_collections.hubspoke.multicluster.plugins.module_utils.client import (
    SECOND_CLUSTER_AUTH_SPEC,
    connect,
    connect_second,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada_join import Join, JoinError


def argspec():
    spec = dict(AUTH_ARG_SPEC)
    spec.update(
        control_plane=dict(type="dict", required=True, options=SECOND_CLUSTER_AUTH_SPEC),
        name=dict(type="str", required=True),
        api_endpoint=dict(type="str"),
        labels=dict(type="dict", default={}),
        provider=dict(type="str"),
        region=dict(type="str"),
        zones=dict(type="list", elements="str"),
        cluster_namespace=dict(type="str", default="karmada-cluster"),
        sync_mode=dict(type="str", choices=["Push", "Pull"], default="Push"),
        agent_image=dict(type="str", default="docker.io/karmada/karmada-agent:v1.18.2"),
        control_plane_endpoint=dict(type="str"),
        impersonator=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=60),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argspec(), supports_check_mode=True)
    try:
        member = connect(module, "member")
        plane = connect_second(module, "Karmada control plane", "control_plane")
        join = Join(module, K8sService(member, module), K8sService(plane, module))
        if module.params["state"] == "absent":
            result = join.absent()
        else:
            endpoint = (module.params["api_endpoint"] or member.configuration.host).rstrip("/")
            result = join.present(endpoint, not member.configuration.verify_ssl, plane.configuration.host.rstrip("/"))
    except (JoinError, objects.TokenNotReady) as err:
        module.fail_json(msg="{0}: {1}".format(module.params["name"], err))
    except CoreException as err:
        module.fail_from_exception(err)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
