# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gatekeeper's audit results (each Constraint's status) of one cluster or many, as data and as one table.

Constraints are one kind per ConstraintTemplate, all in the constraints.gatekeeper.sh group, so a cluster's
are its group's resource list and one list per kind (what `kubectl get constraints` does). No maintained
library reads them across clusters; answers are read as raw JSON, and clusters are read at once by a bounded
pool of threads, one client each.
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import fanout
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import READ_OPTIONS
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import connection_error_reason

try:
    from kubernetes.client.exceptions import ApiException
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    pass

CONSTRAINTS_API = "/apis/constraints.gatekeeper.sh/v1beta1"
TEMPLATES_API = "/apis/templates.gatekeeper.sh/v1"
ACTIONS = ("deny", "warn", "dryrun")

# The gatekeeper_report module's options (beside kubernetes.core's auth options).
OPTIONS = dict(
    objects=dict(type="int", default=3),
    enforcement_actions=dict(type="list", elements="str", choices=list(ACTIONS), default=list(ACTIONS)),
    fail_on_violations=dict(type="bool", default=False),
    **READ_OPTIONS
)


def unread(msg, reachable=False):
    """The report of a cluster whose Constraints could not be read."""
    return {"reachable": reachable, "gatekeeper": False, "constraints": [], "total_violations": 0, "msg": msg}


def _constraint(obj, objects):
    status = obj.get("status") or {}
    violations = status.get("violations") or []
    return {
        "kind": obj["kind"], "name": obj["metadata"]["name"],
        "enforcement_action": (obj.get("spec") or {}).get("enforcementAction") or "deny",
        # None until Gatekeeper's first audit has run over it.
        "total_violations": status.get("totalViolations"),
        "audit_timestamp": status.get("auditTimestamp", ""),
        "violations": [{key: v.get(key, "") for key in ("kind", "namespace", "name", "message")}
                       for v in violations[:objects]],
    }


def _kinds(client, timeout):
    """Plural names of the Constraint kinds the cluster serves, or None without Gatekeeper."""
    try:
        resources = kube_client.get_json(client, CONSTRAINTS_API, timeout).get("resources") or []
    except ApiException as err:
        if err.status != 404:
            raise
        try:  # no Constraint kind yet, or no Gatekeeper at all
            kube_client.get_json(client, TEMPLATES_API, timeout)
        except ApiException as inner:
            if inner.status == 404:
                return None
            raise
        return []
    return sorted(r["name"] for r in resources if "/" not in r["name"])


def read(client, objects=3, actions=ACTIONS, timeout=10):
    """The report of one cluster: its Constraints of the given enforcement actions, sorted by kind and name."""
    try:
        kinds = _kinds(client, timeout)
        if kinds is None:
            return unread("Gatekeeper is not installed (no templates.gatekeeper.sh API)", reachable=True)
        constraints = []
        for plural in kinds:
            for obj in kube_client.get_json(client, "{0}/{1}".format(CONSTRAINTS_API, plural), timeout)["items"]:
                obj.setdefault("kind", plural)
                constraints.append(_constraint(obj, objects))
    except ApiException as err:
        return unread("the API server answered {0} {1}".format(err.status, err.reason), reachable=True)
    except Exception as err:  # pylint: disable=broad-exception-caught  # urllib3's hierarchy: not reachable
        return unread("cannot reach {0}: {1}".format(client.configuration.host, connection_error_reason(err)))
    constraints = sorted((c for c in constraints if c["enforcement_action"] in actions),
                         key=lambda c: (c["kind"], c["name"]))
    return {"reachable": True, "gatekeeper": True, "constraints": constraints,
            "total_violations": sum(c["total_violations"] or 0 for c in constraints), "msg": ""}


def read_all(connections, objects=3, actions=ACTIONS, timeout=10, concurrency=20):
    """{name: report} of every cluster of {name: connection}, at most `concurrency` read at a time."""
    return fanout.read_each(connections, lambda client: read(client, objects, actions, timeout), unread, concurrency)


def rows(reports):
    """One row per cluster and Constraint, sorted by cluster; a cluster without any is one row saying why."""
    out = []
    for cluster in sorted(reports):
        report = reports[cluster]
        if not report["constraints"]:
            note = report["msg"] or "no constraints"
            out.append({"cluster": cluster, "constraint": "-", "enforcement_action": "-", "violations": None,
                        "objects": [], "note": note})
        for constraint in report["constraints"]:
            out.append({"cluster": cluster, "constraint": "{0}/{1}".format(constraint["kind"], constraint["name"]),
                        "enforcement_action": constraint["enforcement_action"],
                        "violations": constraint["total_violations"],
                        "objects": ["{0}/{1}".format(v["namespace"], v["name"]) if v["namespace"] else v["name"]
                                    for v in constraint["violations"]],
                        "note": ""})
    return out


def table(report_rows):
    """The rows as aligned text lines, a header first; `?` where no audit has run yet."""
    header = ("CLUSTER", "CONSTRAINT", "ENFORCEMENT", "VIOLATIONS", "OBJECTS")
    lines = [header]
    for row in report_rows:
        count = "?" if row["violations"] is None and not row["note"] else (
            "-" if row["note"] else str(row["violations"]))
        lines.append((row["cluster"], row["constraint"], row["enforcement_action"], count,
                      row["note"] or ", ".join(row["objects"]) or "-"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
