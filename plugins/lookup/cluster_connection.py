# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: cluster_connection
short_description: A cluster's connection, resolved when a task runs
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns a connection, a dict of kubernetes.core auth options, the shape of a host's C(hubspoke_connection).
  - V(environment) is the hub credential of the environment the task runs in, the E(HUBSPOKE_HUB_HOST),
    E(HUBSPOKE_HUB_API_KEY), E(HUBSPOKE_HUB_CA_CERT) and E(HUBSPOKE_HUB_VERIFY_SSL) variables that the
    collection's AWX credential type injects (C(extensions/awx/hub_credential_type.yml)), else the
    E(K8S_AUTH_*) variables of AWX's Kubernetes credential. The
    P(hubspoke.multicluster.clusters#inventory) inventory plugin gives an Argo CD hub it read through the
    environment this connection, so its tasks and those that read its Secrets find it the same way.
  - A credential reference (a dict, as for P(hubspoke.multicluster.cluster_kubeconfig#lookup)) returns a
    connection whose C(kubeconfig) is the kubeconfig read from the Secret.
options:
  _terms:
    description: V(environment), or a credential reference dict.
    required: true
    type: list
    elements: raw
"""

EXAMPLES = r"""
- name: The hub's namespaces, however this job reaches the hub
  kubernetes.core.k8s_info:
    kind: Namespace
  delegate_to: hub
  vars:
    hubspoke_connection: "{{ lookup('hubspoke.multicluster.cluster_connection', 'environment') }}"
"""

RETURN = r"""
_raw:
  description: One connection per term; C({}) when the environment states none (then the default kubeconfig).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import connection as kube_connection
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.credentials import kubeconfig_for


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        results = []
        for term in terms:
            if term == "environment":
                results.append(kube_connection.controller_hub({}))
            elif isinstance(term, dict):
                try:
                    results.append({"kubeconfig": kubeconfig_for(term)})
                except ClusterInventoryError as err:
                    raise AnsibleLookupError("cluster_connection: {0}".format(err)) from err
            else:
                raise AnsibleLookupError("cluster_connection: a term is 'environment' or a credential reference dict, "
                                         "got {0!r}".format(term))
        return results
