"""fleet_info against the fleet's real API servers: run once it lists what kubernetes.core.k8s_info lists on each
cluster, and a cluster that cannot be read is reported alone."""

import pytest

from helpers import INVENTORY, ROOT, run_playbook

PLAYBOOK = ROOT / "tests/integration/playbooks/fleet_info.yml"


def names(resources):
    return sorted("{0}/{1}".format(r["metadata"].get("namespace", ""), r["metadata"]["name"]) for r in resources)


@pytest.mark.parametrize("query", [
    {},  # Namespaces, cluster-scoped
    {"info_api_version": "apps/v1", "info_kind": "Deployment"},  # every namespace
    {"info_kind": "ServiceAccount", "info_namespace": "kube-system"},
    {"info_kind": "Namespace", "info_name": "kube-system"},
    {"info_kind": "Node", "info_label_selectors": ["type=kwok"]},
])
def test_run_once_lists_what_kubernetes_core_lists_on_each_cluster(local_fleet, query):
    run = run_playbook(PLAYBOOK, INVENTORY, query)
    assert run.rc == 0, run.stdout
    fleet = next(iter(run.results("List on every cluster of the play at once").values()))
    assert set(fleet["clusters"]) == {local_fleet.hub, *local_fleet.spokes} and fleet["unread_clusters"] == []
    own, core = run.results("List on each host's own cluster"), run.results("List with kubernetes.core")
    for host, found in fleet["clusters"].items():
        assert found["read"] and names(found["resources"]) == names(own[host]["resources"])
        assert names(found["resources"]) == names(core[host]["resources"]), host
    if query.get("info_name"):
        assert all(names(f["resources"]) == ["/kube-system"] for f in fleet["clusters"].values())


def test_a_down_cluster_and_a_kind_not_served_are_data(local_fleet, tmp_path):
    extra = tmp_path / "broken.yml"
    extra.write_text("all:\n  hosts:\n"
                     "    spoke-2:\n      hubspoke_connection: {host: 'https://127.0.0.1:1', api_key: x, validate_certs: false}\n")
    run = run_playbook(PLAYBOOK, [INVENTORY, extra], {"target": "spoke-1,spoke-2"})
    fleet = next(iter(run.results("List on every cluster of the play at once").values()))
    assert fleet["unread_clusters"] == ["spoke-2"] and "127.0.0.1:1" in fleet["clusters"]["spoke-2"]["msg"]
    assert fleet["clusters"]["spoke-1"]["read"] and not fleet.get("failed")

    widgets = {"target": "spoke-1", "info_api_version": "example.com/v1", "info_kind": "Widget"}
    unserved = run_playbook(PLAYBOOK, INVENTORY, widgets)
    found = next(iter(unserved.results("List on every cluster of the play at once").values()))["clusters"]["spoke-1"]
    assert not found["read"] and found["msg"] == "the cluster serves no example.com/v1"
    missing_kind = run_playbook(PLAYBOOK, INVENTORY, {"target": "spoke-1", "info_kind": "Widget"})
    found = next(iter(missing_kind.results("List on every cluster of the play at once").values()))["clusters"]["spoke-1"]
    assert found["msg"] == "the cluster serves no kind Widget in v1"
