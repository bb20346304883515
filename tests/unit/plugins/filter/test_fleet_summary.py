"""The table site.yml ends with: a line per cluster and Application, down clusters and unselected spokes named."""

from ansible_collections.hubspoke.multicluster.plugins.filter.fleet_summary import fleet_summary

UP = {"ready": True, "version": {"git_version": "v1.36.3"}, "msg": ""}
DOWN = {"ready": False, "version": {}, "msg": "cannot reach https://127.0.0.1:16020: Connection refused"}
REGISTERED = {"secret_name": "cluster-127.0.0.1-1"}


def deployments(host, namespace, ready, desired):
    """What fleet_info run once over a loop of namespaces registers on every host."""
    return {"results": [{"item": namespace, "clusters": {host: {"read": True, "resources": [
        {"spec": {"replicas": desired}, "status": {"readyReplicas": ready}}]}}}]}


# What site.yml's probe, a cluster_status task run once for the play, registers on every host.
PROBE = {"clusters": {"hub": UP, "spoke-1": UP, "spoke-2": DOWN, "spoke-3": UP}}
HOSTVARS = {
    "hub": {"site_fleet_status": PROBE, "hubspoke_labels": {"role": "hub"}},
    "spoke-1": {"site_fleet_status": PROBE, "hubspoke_labels": {"environment": "production", "role": "spoke"},
                "argocd_cluster_result": REGISTERED, "site_workloads": deployments("spoke-1", "guestbook", 3, 3)},
    "spoke-2": {"site_fleet_status": PROBE, "hubspoke_labels": {"environment": "production"}},
    "spoke-3": {"site_fleet_status": PROBE, "hubspoke_labels": {"environment": "staging"},
                "argocd_cluster_result": REGISTERED},
}
APPS = [{"name": "guestbook-spoke-1", "cluster": "spoke-1", "namespace": "guestbook", "sync": "Synced",
         "health": "Healthy"},
        {"name": "guestbook-spoke-2", "cluster": "spoke-2", "namespace": "guestbook", "sync": "Unknown",
         "health": "Unknown"}]


def test_one_line_per_cluster_and_application():
    lines = fleet_summary(list(HOSTVARS), HOSTVARS, APPS, hubs=["hub"])
    assert lines[0].split() == ["CLUSTER", "STATE", "VERSION", "LABELS", "APPLICATION", "SYNC", "HEALTH", "READY"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["hub"] == ["hub", "up", "v1.36.3", "role=hub", "(hub)"]
    assert rows["spoke-1"] == ["spoke-1", "up", "v1.36.3", "environment=production,role=spoke", "guestbook-spoke-1",
                               "Synced", "Healthy", "3/3"]
    assert rows["spoke-2"] == ["spoke-2", "DOWN", "-", "environment=production", "guestbook-spoke-2", "Unknown",
                               "Unknown", "-"]
    assert " ".join(rows["spoke-3"][4:]) == "(no ApplicationSet selects its labels)"
    assert len({line.index("APPLICATION") if i == 0 else None for i, line in enumerate(lines)} - {None}) == 1


def test_a_down_cluster_without_applications_says_why():
    lines = fleet_summary(["spoke-2"], HOSTVARS)
    assert "(did not answer: cannot reach https://127.0.0.1:16020: Connection refused)" in lines[1]


def test_a_selected_cluster_without_its_application_names_the_applicationset():
    lines = fleet_summary(["spoke-3"], HOSTVARS, selected={"spoke-3": ["guestbook"]})
    assert "(selected by guestbook, no Application yet)" in lines[1]


def test_a_hosts_own_status_reads_the_same():
    own = {host: dict(values, status=PROBE["clusters"][host]) for host, values in HOSTVARS.items()}
    assert fleet_summary(list(own), own, APPS, hubs=["hub"], status="status") == fleet_summary(
        list(HOSTVARS), HOSTVARS, APPS, hubs=["hub"])
