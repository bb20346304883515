"""Applications joined to inventory clusters by API URL, and what the applicationsets role still waits for."""

from ansible_collections.hubspoke.multicluster.plugins.filter.argocd_applications import argocd_applications

HOSTVARS = {
    "spoke-1": {"hubspoke_server": "https://127.0.0.1:16010", "hubspoke_labels": {"environment": "production"}},
    "spoke-2": {"hubspoke_server": "https://127.0.0.1:16020", "hubspoke_labels": {"environment": "production"},
                "argocd_cluster_result": {"server": "https://spoke-2.example:6443/"}},
    "spoke-3": {"hubspoke_server": "https://127.0.0.1:16030", "hubspoke_labels": {"environment": "staging"}},
}
HOSTS = list(HOSTVARS)
GUESTBOOK = {"name": "guestbook", "selector": {"matchExpressions": [
    {"key": "environment", "operator": "In", "values": ["production"]}]}}


def app(name, server, sync="Synced", health="Healthy", appset="guestbook", message=None):
    status = {"sync": {"status": sync}, "health": {"status": health}}
    if message:
        status["conditions"] = [{"type": "ComparisonError", "message": message}]
    return {"metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": appset}},
            "spec": {"destination": {"server": server, "namespace": "guestbook"}}, "status": status}


def test_rows_name_the_inventory_cluster_by_its_registered_url():
    apps = [app("guestbook-spoke-2", "https://spoke-2.example:6443"), app("guestbook-spoke-1", "https://127.0.0.1:16010"),
            app("other", "https://127.0.0.1:16010", appset="not-ours")]
    report = argocd_applications(apps, [GUESTBOOK], HOSTS, HOSTVARS)
    assert [(r["name"], r["cluster"], r["sync"], r["health"]) for r in report["applications"]] == [
        ("guestbook-spoke-1", "spoke-1", "Synced", "Healthy"), ("guestbook-spoke-2", "spoke-2", "Synced", "Healthy")]
    assert report["pending"] == []
    assert report["selected"] == {"spoke-1": ["guestbook"], "spoke-2": ["guestbook"]}


def test_pending_names_missing_and_unhealthy_applications():
    apps = [app("guestbook-spoke-1", "https://127.0.0.1:16010", "OutOfSync", "Missing", message="repository not found")]
    report = argocd_applications(apps, [GUESTBOOK], HOSTS, HOSTVARS)
    assert report["pending"] == ["guestbook: no Application for spoke-2 yet",
                                 "guestbook-spoke-1 on spoke-1: OutOfSync/Missing (repository not found)"]


def test_a_cluster_left_out_of_ready_is_not_waited_for():
    apps = [app("guestbook-spoke-1", "https://127.0.0.1:16010"),
            app("guestbook-spoke-2", "https://spoke-2.example:6443", "Unknown", "Unknown")]
    report = argocd_applications(apps, [GUESTBOOK], HOSTS, HOSTVARS, ready=["spoke-1", "spoke-3"])
    assert report["pending"] == []
    assert report["applications"][1]["health"] == "Unknown"


def test_git_directory_sets_are_not_predicted():
    addons = {"name": "addons", "git_directories": ["addons/*"], "selector": {}}
    assert argocd_applications([], [addons], HOSTS, HOSTVARS)["pending"] == []


def test_a_verbatim_applicationsets_applications_are_found_by_their_owner():
    owned = app("guestbook-spoke-1", "https://127.0.0.1:16010", appset="")
    owned["metadata"]["labels"] = {}
    owned["metadata"]["ownerReferences"] = [{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                                             "name": "verbatim", "controller": True}]
    definition = {"definition": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                                 "metadata": {"name": "verbatim"}, "spec": {}}}
    report = argocd_applications([owned, app("other", "https://127.0.0.1:16020")], [definition], HOSTS, HOSTVARS)
    assert [(r["name"], r["applicationset"], r["cluster"]) for r in report["applications"]] == [
        ("guestbook-spoke-1", "verbatim", "spoke-1")]
    assert report["pending"] == [] and report["selected"] == {}
