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
options:
  name:
    description: The cluster's name in Argo CD (the C(name) of the Cluster generator), usually C(inventory_hostname).
    type: str
    required: true
  server:
    description: The API URL Argo CD uses for the spoke. Defaults to the URL the connection options reach.
    type: str
  argocd_namespace:
    description: The hub namespace Argo CD runs in.
    type: str
    default: argocd
  labels:
    description: Labels of the cluster Secret, what ApplicationSet Cluster generators select on.
    type: dict
    default: {}
  annotations:
    description: Annotations of the cluster Secret.
    type: dict
    default: {}
  namespaces:
    description: Limit Argo CD to these namespaces (Roles instead of a ClusterRole), like C(argocd cluster add --namespace).
    type: list
    elements: str
    default: []
  cluster_resources:
    description: With O(namespaces), let Argo CD manage cluster-scoped resources too (C(clusterResources=true)).
    type: bool
    default: false
  project:
    description: Restrict the cluster to this Argo CD project.
    type: str
  shard:
    description: Pin the cluster to this application-controller shard.
    type: int
  rbac:
    description:
      - V(full) grants everything, as C(argocd cluster add) does. V(read-only) grants get, list and watch.
        V(custom) grants O(rules).
    type: str
    choices: [full, read-only, custom]
    default: full
  rules:
    description: PolicyRules for O(rbac=custom).
    type: list
    elements: dict
  service_account:
    description: Name of the ServiceAccount on the spoke.
    type: str
    default: argocd-manager
  system_namespace:
    description: Namespace of the ServiceAccount and its token on the spoke.
    type: str
    default: kube-system
  rotate:
    description:
      - Issue a new token now. A new token Secret C(<service_account>-long-lived-token-<suffix>) is created on the
        spoke, the hub Secret is switched to its token, and only then is the previous token Secret deleted,
        which revokes the old token. Argo CD never holds a revoked token.
      - Rotating is a change every time it runs; use O(token_max_age) for runs that should be idempotent.
    type: bool
    default: false
  token_max_age:
    description:
      - Rotate when the token in use is older than this, for example V(90d), V(12h), V(30m) or seconds.
        A scheduled registration run with this option keeps every spoke's token fresh and changes nothing
        while tokens are young.
    type: str
  wait_timeout:
    description: Seconds to wait for the token controller to fill the token Secret.
    type: int
    default: 30
  state:
    description: V(absent) deletes the hub Secret and the spoke's ServiceAccount, RBAC and token Secrets.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
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
# In a play over the spokes whose module_defaults set the spoke connection from the inventory
# (group/hubspoke.multicluster.fleet: kubeconfig/context from hubspoke_kubeconfig/hubspoke_context):
- name: Register the spoke with its inventory labels
  hubspoke.multicluster.argocd_cluster:
    name: "{{ inventory_hostname }}"
    labels: "{{ hubspoke_labels }}"
    hub:
      kubeconfig: "{{ hostvars['hub'].hubspoke_kubeconfig }}"
      context: "{{ hostvars['hub'].hubspoke_context }}"

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

import base64
import copy

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd_registration import (
    Registration,
    RegistrationError,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.client import (
    SECOND_CLUSTER_AUTH_SPEC,
    connect,
    connect_second,
)


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        hub=dict(type="dict", required=True, options=SECOND_CLUSTER_AUTH_SPEC),
        name=dict(type="str", required=True),
        server=dict(type="str"),
        argocd_namespace=dict(type="str", default="argocd"),
        labels=dict(type="dict", default={}),
        annotations=dict(type="dict", default={}),
        namespaces=dict(type="list", elements="str", default=[]),
        cluster_resources=dict(type="bool", default=False),
        project=dict(type="str"),
        shard=dict(type="int"),
        rbac=dict(type="str", choices=["full", "read-only", "custom"], default="full"),
        rules=dict(type="list", elements="dict"),
        service_account=dict(type="str", default="argocd-manager"),
        system_namespace=dict(type="str", default="kube-system"),
        rotate=dict(type="bool", default=False),
        token_max_age=dict(type="str", no_log=False),
        wait_timeout=dict(type="int", default=30),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


def tls_config_of(configuration):
    """The spoke's tlsClientConfig as Argo CD stores it: CA (base64 PEM) and TLS server name, or insecure
    when the connection does not verify TLS."""
    if not configuration.verify_ssl:
        return {"insecure": True}
    tls = {"insecure": False}
    if configuration.ssl_ca_cert:
        with open(configuration.ssl_ca_cert, "rb") as handle:
            tls["caData"] = base64.b64encode(handle.read()).decode()
    if getattr(configuration, "tls_server_name", None):
        tls["serverName"] = configuration.tls_server_name
    return tls


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argspec(), supports_check_mode=True,
                              required_if=[("rbac", "custom", ["rules"])])
    try:
        spoke = connect(module, "spoke")
        spoke_server = spoke.configuration.host.rstrip("/")
        spoke_tls = tls_config_of(spoke.configuration)
        hub = connect_second(module, "hub", "hub")
        registration = Registration(module, K8sService(spoke, module), K8sService(hub, module))
        server = (module.params["server"] or spoke_server).rstrip("/")
        if module.params["state"] == "absent":
            result = registration.absent(server)
        else:
            result = registration.present(server, spoke_tls)
    except RegistrationError as err:
        module.fail_json(msg=str(err))
    except CoreException as err:
        module.fail_from_exception(err)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
