#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: gatekeeper_report
short_description: Read Gatekeeper's audit results of one cluster or of every cluster of the play, as one table
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Reads every Constraint of the cluster (every kind of the C(constraints.gatekeeper.sh) group) and reports,
    for each, its enforcement action, the number of violations Gatekeeper's last audit found
    (C(status.totalViolations)) and the first O(objects) objects in violation with their messages.
  - With C(run_once=true) it reads every host of the play (of its batch, with C(serial)) at once, up to
    O(concurrency) at a time, in one module run, and returns one table over the whole fleet in RV(table) and
    the same as data in RV(rows) and RV(clusters). Each host is reached by its own C(hubspoke_connection), as
    the P(hubspoke.multicluster.cluster#connection) connection plugin reaches it.
  - A cluster that does not answer, or has no Gatekeeper, is a row saying so, never a failure of the others.
  - The number of objects listed per Constraint is at most Gatekeeper's C(--constraint-violations-limit) (20
    by default), which bounds what its status keeps; the count is not bounded.
options:
  objects:
    description: How many objects in violation to return per Constraint.
    type: int
    default: 3
  enforcement_actions:
    description: Report only Constraints of these enforcement actions.
    type: list
    elements: str
    choices: [deny, warn, dryrun]
    default: [deny, warn, dryrun]
  fail_on_violations:
    description:
      - Fail when a reported Constraint has violations, for a CI gate; the report is returned all the same.
      - A cluster that cannot be read does not fail the task; see RV(unread_clusters).
    type: bool
    default: false
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - hubspoke.multicluster.attributes
  - hubspoke.multicluster.attributes.INFO_MODULE
  - hubspoke.multicluster.fleet_read
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Report the violations of every cluster of the play
  hubspoke.multicluster.gatekeeper_report:
  run_once: true
  register: compliance

- name: Print the table
  ansible.builtin.debug:
    msg: "{{ compliance.table }}"
  run_once: true

- name: Gate a pipeline on the production policies
  hubspoke.multicluster.gatekeeper_report:
    enforcement_actions: [deny]
    fail_on_violations: true
  run_once: true
"""

RETURN = r"""
gatekeeper:
  description: Whether the cluster serves Gatekeeper's APIs.
  returned: when the task reads its own host
  type: bool
  sample: true
constraints:
  description:
    - The cluster's Constraints, sorted by kind and name, each with C(kind), C(name), C(enforcement_action),
      C(total_violations) (null until Gatekeeper has audited it), C(audit_timestamp) and C(violations) (the
      first O(objects), each C(kind), C(namespace), C(name), C(message)).
  returned: when the task reads its own host
  type: list
  elements: dict
  sample: [{"kind": "K8sDisallowHostPath", "name": "no-host-path", "enforcement_action": "deny",
            "total_violations": 1, "audit_timestamp": "2026-12-01T23:40:00Z",
            "violations": [{"kind": "Pod", "namespace": "default", "name": "debug",
                            "message": "hostPath volume host (/etc) is not allowed"}]}]
total_violations:
  description: The sum of the Constraints' violations.
  returned: when the task reads its own host
  type: int
  sample: 1
reachable:
  description: Whether the API server answered.
  returned: when the task reads its own host
  type: bool
  sample: true
msg:
  description: Why the cluster's Constraints could not be read; empty otherwise.
  returned: always
  type: str
  sample: ""
clusters:
  description: With C(run_once=true), every host's report by host name, each with the keys above.
  returned: when the task runs once
  type: dict
rows:
  description:
    - One row per cluster and Constraint, C(cluster), C(constraint) (kind/name), C(enforcement_action),
      C(violations), C(objects) (namespace/name), C(note) (why a cluster has no rows of Constraints).
  returned: when the task runs once
  type: list
  elements: dict
table:
  description: RV(rows) as aligned lines of text, a header first, for C(debug) and AWX job output.
  returned: when the task runs once
  type: list
  elements: str
  sample: ["CLUSTER  CONSTRAINT                        ENFORCEMENT  VIOLATIONS  OBJECTS",
           "spoke-1  K8sDisallowHostPath/no-host-path  deny         1           default/debug"]
violating_clusters:
  description: The hosts with at least one violation, sorted.
  returned: when the task runs once
  type: list
  elements: str
  sample: ["spoke-1"]
unread_clusters:
  description: The hosts whose Constraints could not be read (unreachable, or no Gatekeeper), sorted.
  returned: when the task runs once
  type: list
  elements: str
  sample: []
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import handed_over
from ansible_collections.hubspoke.multicluster.plugins.module_utils.gatekeeper.report import (
    OPTIONS,
    read,
    read_all,
    rows,
    table,
    unread,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.adapter import api_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import cluster_module


def fleet(module, kubeconfigs, problems):
    params = module.params
    reports = read_all({host: {"kubeconfig": doc} for host, doc in kubeconfigs.items()}, params["objects"],
                       params["enforcement_actions"], params["timeout"], params["concurrency"])
    reports.update({host: unread(msg) for host, msg in problems.items()})
    report_rows = rows(reports)
    result = dict(changed=False, clusters=reports, rows=report_rows, table=table(report_rows),
                  violating_clusters=sorted(h for h, r in reports.items() if r["total_violations"]),
                  unread_clusters=sorted(h for h, r in reports.items() if not r["gatekeeper"]))
    if params["fail_on_violations"] and result["violating_clusters"]:
        module.fail_json(msg="Gatekeeper reports violations on {0}".format(", ".join(result["violating_clusters"])),
                         **result)
    module.exit_json(msg="", **result)


def main():
    module = cluster_module(OPTIONS)
    params = module.params
    handed = handed_over()
    if handed is not None:
        fleet(module, *handed)  # exits
    try:
        client = api_client(module)
    except Exception as err:  # pylint: disable=broad-exception-caught  # kubernetes.config raises many kinds
        own = unread("cannot build a client from the connection options: {0}".format(err))
    else:
        own = read(client, params["objects"], params["enforcement_actions"], params["timeout"])
    if params["fail_on_violations"] and own["total_violations"]:
        own["msg"] = "Gatekeeper reports {0} violations".format(own["total_violations"])
        module.fail_json(changed=False, **own)
    module.exit_json(changed=False, **own)


if __name__ == "__main__":
    main()
