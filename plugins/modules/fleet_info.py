#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: fleet_info
short_description: List objects of one kind on a cluster, or, run once, on every cluster of the play at once
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Lists the objects of O(kind) in O(api_version) (one object with O(name)), in O(namespace) or in every
    namespace, filtered by label and field selectors, as M(kubernetes.core.k8s_info) does.
  - With C(run_once=true) the task reads every host of the play (of its batch, with C(serial)), or those
    O(clusters) names, at once, up to O(concurrency) at a time, in one module run, and returns them under
    RV(clusters) keyed by host name; with C(register) every host gets that result, so
    C(objects.clusters[inventory_hostname].resources) is its own. Each host is reached by its own
    C(hubspoke_connection), as the P(hubspoke.multicluster.cluster#connection) connection reaches it.
  - Unlike M(kubernetes.core.k8s_info) it reads no API discovery beyond the kind's own group version (two
    requests per cluster), and none for a built-in kind of Kubernetes' GA group versions (C(v1), C(apps/v1),
    C(batch/v1), C(networking.k8s.io/v1), C(rbac.authorization.k8s.io/v1), C(apiextensions.k8s.io/v1), one
    request), and a cluster that cannot be read (down, the kind not served, access refused) is
    data - RV(read=false) with RV(msg) - not a failure, so one cluster never stops a fleet-wide read.
options:
  api_version:
    description: The group version of O(kind), for example C(apps/v1) or C(argoproj.io/v1alpha1).
    type: str
    default: v1
  kind:
    description: The kind to list, for example C(Deployment).
    type: str
    required: true
  namespace:
    description: The namespace to list in; every namespace when unset. Ignored for a cluster-scoped kind.
    type: str
  name:
    description: Read only the object of this name (RV(resources) is empty when there is none).
    type: str
  label_selectors:
    description: Label selectors, joined with commas, as in M(kubernetes.core.k8s_info).
    type: list
    elements: str
    default: []
  field_selectors:
    description: Field selectors, joined with commas, as in M(kubernetes.core.k8s_info).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.attributes
  - hubspoke.multicluster.attributes.INFO_MODULE
  - hubspoke.multicluster.fleet_read
requirements:
  - kubernetes >= 24.2.0
seealso:
  - module: kubernetes.core.k8s_info
"""

EXAMPLES = r"""
- name: List the Deployments of namespace guestbook on every cluster of the play at once
  hubspoke.multicluster.fleet_info:
    api_version: apps/v1
    kind: Deployment
    namespace: guestbook
  run_once: true
  register: deployments

- name: Each cluster looks up its own
  ansible.builtin.debug:
    msg: "{{ deployments.clusters[inventory_hostname].resources | map(attribute='metadata.name') }}"

- name: Nodes not Ready on any cluster, from localhost
  hubspoke.multicluster.fleet_info:
    kind: Node
    label_selectors: [node-role.kubernetes.io/worker]
    clusters: "{{ groups['env_production'] }}"
  run_once: true
  delegate_to: localhost
  register: nodes
"""

RETURN = r"""
read:
  description: Whether the cluster could be read (it answered and serves the kind).
  returned: always, and per cluster under RV(clusters)
  type: bool
resources:
  description: The objects, as the API returns them (with C(apiVersion) and C(kind)).
  returned: always, and per cluster under RV(clusters)
  type: list
  elements: dict
msg:
  description: Why the cluster could not be read; empty when it was.
  returned: always, and per cluster under RV(clusters)
  type: str
clusters:
  description: With C(run_once=true), each cluster's RV(read), RV(resources) and RV(msg) by host name.
  returned: when run once
  type: dict
unread_clusters:
  description: With C(run_once=true), the host names of the clusters that could not be read.
  returned: when run once
  type: list
  elements: str
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import handed_over
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.object_lists import OPTIONS, read, read_all, unread
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.adapter import api_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module


def main():
    module = cluster_module(OPTIONS)
    params = module.params
    handed = handed_over()
    if handed is not None:
        kubeconfigs, problems = handed
        clusters = read_all({host: {"kubeconfig": doc} for host, doc in kubeconfigs.items()}, params,
                            params["timeout"], params["concurrency"])
        clusters.update({host: unread(msg) for host, msg in problems.items()})
        module.exit_json(changed=False, clusters=clusters,
                         unread_clusters=sorted(host for host, found in clusters.items() if not found["read"]))
    try:
        client = api_client(module)
    except Exception as err:  # pylint: disable=broad-exception-caught  # kubernetes.config raises many kinds
        module.exit_json(changed=False, **unread("cannot build a client from the connection options: {0}".format(err)))
    module.exit_json(changed=False, **read(client, params, params["timeout"]))


if __name__ == "__main__":
    main()
