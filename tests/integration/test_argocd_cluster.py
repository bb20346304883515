"""argocd_cluster on the local fleet: the hub Secret works as Argo CD would use it, and nothing more."""

import json

import pytest
from kubernetes import client

from helpers import ROOT, as_argocd, delete_namespace, run_playbook

PLAYBOOK = ROOT / "tests/integration/playbooks/register.yml"
TASK = "Register the spoke"


@pytest.fixture(name="argocd_namespace")
def fixture_argocd_namespace(local_fleet, local_inventory):
    core = local_fleet.core(local_fleet.hub)
    core.create_namespace({"metadata": {"name": "argocd"}})
    yield
    run_playbook(PLAYBOOK, local_inventory, {"register_state": "absent"})
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "argocd")


def test_refuses_a_hub_without_argocd_and_changes_nothing(local_fleet, local_inventory):
    run = run_playbook(PLAYBOOK, local_inventory)
    assert run.rc != 0
    for host, result in run.results(TASK).items():
        assert "install Argo CD there first" in result["msg"], (host, result)
    with pytest.raises(client.ApiException):
        local_fleet.core("spoke-1").read_namespaced_service_account("argocd-manager", "kube-system")


def test_register_use_update_remove(argocd_namespace, local_fleet, local_inventory):
    check = run_playbook(PLAYBOOK, local_inventory, check=True)
    assert check.rc == 0 and check.changed == len(local_fleet.spokes), check.stdout
    assert not local_fleet.argocd_secrets()
    with pytest.raises(client.ApiException):
        local_fleet.core("spoke-1").read_namespaced_service_account("argocd-manager", "kube-system")

    first = run_playbook(PLAYBOOK, local_inventory, verbosity=3)
    assert first.rc == 0 and first.changed == len(local_fleet.spokes), first.stdout
    secrets = local_fleet.argocd_secrets()
    assert len(secrets) == len(local_fleet.spokes)
    for name, secret in secrets.items():
        api, cluster = as_argocd(secret)
        assert name == first.results(TASK)[cluster["name"]]["secret_name"]
        assert secret.metadata.labels == {"argocd.argoproj.io/secret-type": "cluster", "environment": "production"}
        assert cluster["config"]["tlsClientConfig"]["insecure"] is False
        names = {n.metadata.name for n in client.CoreV1Api(api).list_namespace().items}
        assert "kube-system" in names
        token = cluster["config"]["bearerToken"]
        assert token not in first.stdout and token not in first.stderr

    again = run_playbook(PLAYBOOK, local_inventory)
    assert again.rc == 0 and again.changed == 0, again.stdout

    relabel = run_playbook(PLAYBOOK, local_inventory, {"register_labels": {"environment": "staging", "team": "a"}},
                           diff=True)
    assert relabel.rc == 0 and relabel.changed == len(local_fleet.spokes)
    for secret in local_fleet.argocd_secrets().values():
        assert secret.metadata.labels == {"argocd.argoproj.io/secret-type": "cluster", "environment": "staging",
                                          "team": "a"}
        assert as_argocd(secret)[1]["config"]["bearerToken"] not in relabel.stdout
    assert "VALUE_HIDDEN" in json.dumps(relabel.results(TASK))

    conflict = run_playbook(PLAYBOOK, local_inventory, {"register_name": "spoke-1", "register_hosts": "spoke-2"})
    assert conflict.rc != 0
    assert "already registered on the hub" in conflict.results(TASK)["spoke-2"]["msg"]

    removed = run_playbook(PLAYBOOK, local_inventory, {"register_state": "absent"})
    assert removed.rc == 0 and removed.changed == len(local_fleet.spokes)
    assert not local_fleet.argocd_secrets()
    for spoke in local_fleet.spokes:
        with pytest.raises(client.ApiException):
            local_fleet.core(spoke).read_namespaced_service_account("argocd-manager", "kube-system")
        rbac = client.RbacAuthorizationV1Api(local_fleet.api(spoke))
        assert "argocd-manager-role" not in {r.metadata.name for r in rbac.list_cluster_role().items}
    gone = run_playbook(PLAYBOOK, local_inventory, {"register_state": "absent"})
    assert gone.rc == 0 and gone.changed == 0


def test_namespace_scope_is_enforced(argocd_namespace, local_fleet, local_inventory):
    local_fleet.core("spoke-1").create_namespace({"metadata": {"name": "team-a"}})
    try:
        run = run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1", "register_namespaces": ["team-a"],
                                                       "register_rbac": "read-only"})
        assert run.rc == 0, run.stdout
        (secret,) = local_fleet.argocd_secrets().values()
        api, cluster = as_argocd(secret)
        assert cluster["namespaces"] == ["team-a"]
        core = client.CoreV1Api(api)
        core.list_namespaced_pod("team-a")
        with pytest.raises(client.ApiException) as denied:
            core.list_namespaced_pod("default")
        assert denied.value.status == 403
        with pytest.raises(client.ApiException) as read_only:
            core.create_namespaced_config_map("team-a", {"metadata": {"name": "x"}})
        assert read_only.value.status == 403
    finally:
        run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1", "register_namespaces": ["team-a"],
                                                 "register_state": "absent"})
        delete_namespace(local_fleet.kubeconfig, "spoke-1", "team-a")
