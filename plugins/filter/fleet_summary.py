# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.fleet_summary: the table site.yml ends with, from what its plays read on each cluster.

A pure function of host variables, so the table is tested without a fleet and site.yml keeps one short task.
"""

DOCUMENTATION = r"""
name: fleet_summary
short_description: One aligned table of the fleet, a line per cluster and Application
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Columns C(CLUSTER), C(STATE) (C(up) or C(DOWN)), C(VERSION), C(LABELS), C(APPLICATION), C(SYNC), C(HEALTH)
    and C(READY), the ready and desired replicas of the Deployments in the Application's namespace, read on the
    cluster itself.
  - A registered cluster that no ApplicationSet selects gets one line saying so, one that is selected but has no
    Application yet names the ApplicationSets; a hub says it is one.
  - Reads each host's O(status) (a M(hubspoke.multicluster.cluster_status) result), C(hubspoke_labels),
    C(argocd_cluster_result) and O(workloads) (a looped M(kubernetes.core.k8s_info) of Deployments by
    namespace).
options:
  _input:
    description: The clusters, for example C(groups['all']).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  applications:
    description: Rows of P(hubspoke.multicluster.argocd_applications#filter), from every hub.
    type: list
    elements: dict
    default: []
  hubs:
    description: The hubs among the clusters.
    type: list
    elements: str
    default: []
  selected:
    description: Cluster to the ApplicationSets selecting it (C(applicationsets_selected) of the hubs).
    type: dict
    default: {}
  status:
    description:
      - Name of the host variable holding the cluster_status result, the host's own or that of a task run once for
        the play (whose C(clusters) holds each host's entry).
    type: str
    default: site_fleet_status
  workloads:
    description:
      - Name of the host variable holding the Deployments of the Applications' namespaces, as a
        M(hubspoke.multicluster.fleet_info) task run once with a loop over the namespaces registers them.
    type: str
    default: site_workloads
"""

EXAMPLES = r"""
- name: Print the fleet
  ansible.builtin.debug:
    msg: "{{ groups['all'] | hubspoke.multicluster.fleet_summary(hostvars, apps, hubs=groups['role_hub']) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The table's lines, header first.
  type: list
  elements: str
"""

COLUMNS = ("CLUSTER", "STATE", "VERSION", "LABELS", "APPLICATION", "SYNC", "HEALTH", "READY")


def _ready_replicas(host, values, workloads, namespace):
    """'ready/desired' summed over the host's Deployments of a namespace, or '-' when they were not read."""
    found = [((r.get("clusters") or {}).get(host) or {}) for r in (values.get(workloads) or {}).get("results") or []
             if r.get("item") == namespace]
    found = [read for read in found if read.get("read")]
    if not found:
        return "-"
    deployments = [d for r in found for d in r["resources"]]
    ready = sum((d.get("status") or {}).get("readyReplicas", 0) for d in deployments)
    desired = sum((d.get("spec") or {}).get("replicas", 1) for d in deployments)
    return "{0}/{1}".format(ready, desired)


def _rows(host, values, applications, hubs, selected, status, workloads):
    result = values.get(status) or {}
    if isinstance(result.get("clusters"), dict):  # registered by a cluster_status task run once for the play
        result = result["clusters"].get(host) or {}
    up = bool(result.get("ready"))
    base = [host, "up" if up else "DOWN", (result.get("version") or {}).get("git_version") or "-",
            ",".join("{0}={1}".format(k, v) for k, v in sorted((values.get("hubspoke_labels") or {}).items())) or "-"]
    mine = [a for a in applications if a.get("cluster") == host]
    for app in mine:
        yield base + [app["name"], app["sync"], app["health"],
                      _ready_replicas(host, values, workloads, app["namespace"]) if up else "-"]
    if not mine:
        if host in hubs:
            note = "(hub)"
        elif not up:
            note = "(did not answer: {0})".format(result.get("msg") or "unknown")
        elif selected.get(host):
            note = "(selected by {0}, no Application yet)".format(", ".join(selected[host]))
        elif (values.get("argocd_cluster_result") or {}).get("secret_name"):
            note = "(no ApplicationSet selects its labels)"
        else:
            note = "(not registered)"
        yield base + [note, "", "", ""]


def fleet_summary(hosts, hostvars, applications=None, hubs=None, selected=None, status="site_fleet_status",
                  workloads="site_workloads"):
    rows = [list(COLUMNS)]
    for host in hosts:
        rows.extend(_rows(host, hostvars.get(host) or {}, applications or [], hubs or [], selected or {}, status,
                          workloads))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS))]
    return ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"fleet_summary": fleet_summary}
