# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: cluster_kubeconfig
short_description: Read a cluster's credentials from its hub Secret and return a kubeconfig
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Reads the Secret that holds a cluster's credentials on its hub (an Argo CD cluster Secret, a Karmada
    member Secret or a Cluster API C(<name>-kubeconfig) Secret) and returns an in-memory kubeconfig,
    ready for the O(kubernetes.core.k8s#module:kubeconfig) option of any kubernetes.core or hubspoke.multicluster module.
  - The P(hubspoke.multicluster.clusters#inventory) inventory plugin sets C(hubspoke_kubeconfig) to a call of this
    lookup, so tokens are read when a task runs and never appear in inventory output or its cache.
  - The kubernetes.core O(kubernetes.core.k8s#module:kubeconfig) option is C(no_log), so the result is not logged.
options:
  _terms:
    description: One credential reference, a dict with C(kind) (V(argocd), V(karmada) or V(capi)), C(namespace)
      and C(name) of the Secret, C(hub) (C(kubeconfig) path and C(context) of the hub), and for Karmada C(server)
      and C(insecure).
    required: true
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: List namespaces of a cluster registered to Argo CD on the hub
  kubernetes.core.k8s_info:
    kind: Namespace
    kubeconfig: >-
      {{ lookup('hubspoke.multicluster.cluster_kubeconfig',
                {'kind': 'argocd', 'namespace': 'argocd', 'name': 'cluster-spoke-1-1234',
                 'hub': {'kubeconfig': '~/.kube/config', 'context': 'hub'}}) }}
"""

RETURN = r"""
_raw:
  description: One kubeconfig (a dict with clusters, users, contexts and current-context) per reference.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.credentials import kubeconfig_for


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            return [kubeconfig_for(ref) for ref in terms]
        except ClusterInventoryError as err:
            raise AnsibleLookupError("cluster_kubeconfig: {0}".format(err)) from err
