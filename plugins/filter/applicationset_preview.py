# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.applicationset_preview: the Applications ApplicationSets would generate, and what would
stop Argo CD, from the inventory (module_utils/argocd/applicationset_preview.py)."""

from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.applicationset import applicationset
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.applicationset_preview import preview
from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import LabelSelectorError

DOCUMENTATION = r"""
name: applicationset_preview
short_description: The Applications ApplicationSets would generate over the inventory, and what would stop Argo CD
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Builds each item with the P(hubspoke.multicluster.applicationset#filter) filter and renders, for every inventory
    cluster its Cluster generator selects, the Application Argo CD would generate (name, destination, project,
    path), from the cluster's name and server (its C(argocd_cluster_result) where registration ran in this play,
    else the host name and C(hubspoke_server)) and its C(hubspoke_labels), which registration puts on its Argo CD
    cluster Secret. An empty selector also picks Argo CD's own cluster, C(in-cluster), as Argo CD does.
  - Evaluates the Go templates Argo CD evaluates (field chains such as C(.metadata.labels.environment), C(index) of
    a field by literal keys) with the ApplicationSet's C(missingkey) option, over the parameters of its Cluster,
    List, Matrix and Merge generators (merged as Argo CD merges them); an ApplicationSet whose templates or
    generators go beyond that (a Git generator, functions, annotations) is listed in C(unpredicted) with no names.
  - "Lists as C(problems) what Argo CD would stop at: two Applications with the same name (in one ApplicationSet or
    across them, naming the clusters), a template that cannot render for a cluster (a label it lacks, with
    C(missingkey=error)), a Merge generator Argo CD refuses (no merge keys, two parameter sets with the same keys),
    a destination the Application's AppProject does not permit (when O(projects) holds it), and an ApplicationSet
    that selects no cluster of the inventory (unless O(allow_empty))."
options:
  _input:
    description: The ApplicationSets, items of the role variable C(applicationsets_items).
    type: list
    elements: dict
    required: true
  hosts:
    description: The inventory clusters the ApplicationSets may select (the spokes registered to the hub).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  projects:
    description: The hub's AppProject objects, for the destination check; omitted or V(null), no check.
    type: list
    elements: dict
  allow_empty:
    description: Accept an ApplicationSet whose Cluster generators select no inventory cluster.
    type: bool
    default: false
  namespace:
    description: Namespace of Argo CD on the hub.
    type: str
    default: argocd
"""

EXAMPLES = r"""
- name: Refuse ApplicationSets that Argo CD would stop at, before they reach the hub
  ansible.builtin.assert:
    that: preview.problems | length == 0
    fail_msg: "{{ preview.problems | join('; ') }}"
  vars:
    preview: "{{ applicationsets_items | hubspoke.multicluster.applicationset_preview(groups['role_spoke'], hostvars) }}"
"""

RETURN = r"""
_value:
  description:
    - C(applications), one per predicted Application, with C(applicationset), C(cluster) (the inventory host, or
      C(in-cluster)), C(host) (null for C(in-cluster) and for List elements whose destination is no inventory cluster), C(name), C(server), C(destination_name),
      C(namespace), C(project) and C(path).
    - C(selected), for each ApplicationSet the inventory hosts its Cluster generators select.
    - C(unpredicted), the ApplicationSets whose Applications cannot be told from the inventory.
    - C(problems), sentences naming what Argo CD would stop at; empty when there is none.
    - C(lines), one line per ApplicationSet, C(<name> -> <Application> on <cluster>, ...).
  type: dict
"""


def _line(name, report):
    """One ApplicationSet's preview as the role prints it."""
    if name in report["unpredicted"]:
        return "{0} -> {1} (its Application names are not known before Argo CD renders them)".format(
            name, ", ".join(report["selected"][name]) or "no cluster")
    apps = ["{0} on {1}".format(a["name"], a["cluster"]) for a in report["applications"] if a["applicationset"] == name]
    return "{0} -> {1}".format(name, ", ".join(apps) or "no Application")


def applicationset_preview(items, hosts, hostvars, projects=None, allow_empty=False, namespace="argocd"):
    appsets = [applicationset(item, namespace) for item in items]
    try:
        report = preview(appsets, hosts, hostvars, projects, allow_empty)
    except LabelSelectorError as err:
        raise AnsibleFilterError("hubspoke.multicluster.applicationset_preview: {0}".format(err)) from err
    report["lines"] = [_line(appset["metadata"]["name"], report) for appset in appsets]
    return report


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"applicationset_preview": applicationset_preview}
