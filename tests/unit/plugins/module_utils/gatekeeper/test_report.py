from ansible_collections.hubspoke.multicluster.plugins.module_utils.gatekeeper.report import rows, table, unread


def report(constraints, msg=""):
    return {"reachable": True, "gatekeeper": True, "constraints": constraints,
            "total_violations": sum(c["total_violations"] or 0 for c in constraints), "msg": msg}


def constraint(name, action, total, objects=()):
    return {"kind": "K8sDisallowHostPath", "name": name, "enforcement_action": action, "total_violations": total,
            "audit_timestamp": "", "violations": [{"kind": "Pod", "namespace": ns, "name": n, "message": "m"}
                                                  for ns, n in objects]}


def test_rows_and_table_cover_every_cluster():
    reports = {"spoke-2": report([constraint("no-host-path", "warn", None)]),
               "spoke-1": report([constraint("no-host-path", "deny", 2, [("legacy", "old-debug"), ("", "x")])]),
               "hub": unread("Gatekeeper is not installed (no templates.gatekeeper.sh API)", reachable=True)}
    out = rows(reports)
    assert [r["cluster"] for r in out] == ["hub", "spoke-1", "spoke-2"]
    assert out[1]["objects"] == ["legacy/old-debug", "x"] and out[1]["violations"] == 2
    lines = table(out)
    assert lines[0].split() == ["CLUSTER", "CONSTRAINT", "ENFORCEMENT", "VIOLATIONS", "OBJECTS"]
    assert lines[1].split()[:4] == ["hub", "-", "-", "-"] and "not installed" in lines[1]
    assert lines[2].split() == ["spoke-1", "K8sDisallowHostPath/no-host-path", "deny", "2", "legacy/old-debug,", "x"]
    assert lines[3].split() == ["spoke-2", "K8sDisallowHostPath/no-host-path", "warn", "?", "-"]


def test_a_cluster_without_constraints_is_one_row():
    assert rows({"spoke-1": report([])})[0]["note"] == "no constraints"
