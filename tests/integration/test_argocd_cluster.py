"""argocd_cluster on the local fleet: the hub Secret works as Argo CD would use it, and nothing more."""

import base64
import json
import time

import pytest
from kubernetes import client

from helpers import ROOT, as_argocd, delete_namespace, run_playbook, start_playbook
from localfleet import fleet

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
    # Results carry neither the token nor the fields that could hold an older copy of it.
    assert "managedFields" not in json.dumps(first.results(TASK))
    assert "last-applied-configuration" not in json.dumps(first.results(TASK))

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


def token_secrets(local_fleet, spoke="spoke-1"):
    """{name: token} of the spoke's argocd-manager token Secrets."""
    items = local_fleet.core(spoke).list_namespaced_secret(
        "kube-system", field_selector="type=kubernetes.io/service-account-token").items
    return {s.metadata.name: base64.b64decode(s.data["token"]).decode() for s in items
            if s.metadata.name.startswith("argocd-manager-long-lived-token") and (s.data or {}).get("token")}


def hub_token(local_fleet, name="spoke-1"):
    for secret in local_fleet.argocd_secrets().values():
        _api, cluster = as_argocd(secret)
        if cluster["name"] == name:
            return cluster["config"]["bearerToken"]
    return None


FREEZE = "hubspoke-test-freeze-cluster-secrets"


def freeze_cluster_secrets(local_fleet, frozen):
    """A ValidatingAdmissionPolicy on the hub that refuses every update of an Argo CD cluster Secret, as a hub
    failing between a registration's spoke write and its hub write would (kube-apiserver enforces it itself)."""
    admission = client.AdmissionregistrationV1Api(local_fleet.api(local_fleet.hub))
    if frozen:
        admission.create_validating_admission_policy({
            "metadata": {"name": FREEZE},
            "spec": {"failurePolicy": "Fail",
                     "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                                             "operations": ["UPDATE"], "resources": ["secrets"]}]},
                     "validations": [{"expression": "!has(object.metadata.labels) || !('argocd.argoproj.io/secret-type'"
                                                    " in object.metadata.labels)",
                                      "message": "cluster Secrets are frozen"}]}})
        admission.create_validating_admission_policy_binding({
            "metadata": {"name": FREEZE}, "spec": {"policyName": FREEZE, "validationActions": ["Deny"]}})
    else:
        admission.delete_validating_admission_policy_binding(FREEZE)
        admission.delete_validating_admission_policy(FREEZE)
    core = local_fleet.core(local_fleet.hub)
    (name,) = local_fleet.argocd_secrets()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the policy takes effect within a second or two
        try:
            core.patch_namespaced_secret(name, "argocd", {"metadata": {"annotations": {"probe": str(time.time())}}},
                                         dry_run="All")
            denied = False
        except client.ApiException as err:
            denied = "frozen" in (err.body or "")
        if denied == frozen:
            return
        time.sleep(0.5)
    raise AssertionError("the admission policy did not take effect")


def test_a_rotation_that_failed_midway_leaves_no_token_behind(argocd_namespace, local_fleet, local_inventory):
    assert run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1"}).rc == 0
    old = hub_token(local_fleet)
    freeze_cluster_secrets(local_fleet, True)
    try:
        failed = run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1", "register_rotate": True})
        assert failed.rc != 0 and "frozen" in failed.results(TASK)["spoke-1"]["msg"]
        orphans = {name: token for name, token in token_secrets(local_fleet).items() if token != old}
        assert len(orphans) == 1 and hub_token(local_fleet) == old  # the new token was made, the hub kept the old
    finally:
        freeze_cluster_secrets(local_fleet, False)

    retried = run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1", "register_rotate": True})
    assert retried.rc == 0, retried.stdout
    remaining = token_secrets(local_fleet)
    assert list(remaining.values()) == [hub_token(local_fleet)]
    assert local_fleet.status_with_token("spoke-1", hub_token(local_fleet)) == 200
    for revoked in [old, *orphans.values()]:
        assert local_fleet.revoked("spoke-1", revoked)


def test_concurrent_register_and_rotate_leave_the_hub_a_live_token(argocd_namespace, local_fleet, local_inventory):
    assert run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1"}).rc == 0
    for _round in range(3):
        runs = [start_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1", "register_rotate": rotate})
                for rotate in (False, True)]
        assert [run.wait() for run in runs] == [0, 0]
        token = hub_token(local_fleet)
        assert local_fleet.status_with_token("spoke-1", token) == 200
        assert list(token_secrets(local_fleet).values()) == [token]
    leases = client.CoordinationV1Api(local_fleet.api(local_fleet.hub)).list_namespaced_lease("argocd").items
    assert not [lease.metadata.name for lease in leases if lease.metadata.name.startswith("hubspoke-")]


def test_a_dead_spoke_is_deregistered_on_the_hub_with_a_warning(argocd_namespace, local_fleet, local_inventory):
    assert run_playbook(PLAYBOOK, local_inventory).rc == 0
    fleet.stop("spoke-2")
    try:
        removed = run_playbook(PLAYBOOK, local_inventory, {"register_state": "absent"})
        assert removed.rc == 0, removed.stdout
        result = removed.results(TASK)["spoke-2"]
        assert result["changed"] and result["spoke_reachable"] is False
        assert "ServiceAccount kube-system/argocd-manager" in result["left_on_spoke"]
        assert any("removed the hub's Secret" in w and "Left on the spoke" in w for w in result["warnings"])
        assert not local_fleet.argocd_secrets()
        present = run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-2"})
        assert present.rc != 0 and "cannot reach the spoke" in present.results(TASK)["spoke-2"]["msg"]
    finally:
        fleet.start("spoke-2")
    local_fleet.core("spoke-2").read_namespaced_service_account("argocd-manager", "kube-system")  # left, as warned
    cleaned = run_playbook(PLAYBOOK, local_inventory, {"register_state": "absent", "register_hosts": "spoke-2"})
    assert cleaned.rc == 0 and cleaned.changed == 1
    with pytest.raises(client.ApiException):
        local_fleet.core("spoke-2").read_namespaced_service_account("argocd-manager", "kube-system")


def test_an_unverified_spoke_is_refused_unless_allowed(argocd_namespace, local_fleet, local_inventory):
    unverified = {"register_hosts": "spoke-1", "register_validate_certs": False}
    refused = run_playbook(PLAYBOOK, local_inventory, unverified)
    assert refused.rc != 0 and "does not verify TLS" in refused.results(TASK)["spoke-1"]["msg"]
    assert not local_fleet.argocd_secrets()
    with pytest.raises(client.ApiException):
        local_fleet.core("spoke-1").read_namespaced_service_account("argocd-manager", "kube-system")
    allowed = run_playbook(PLAYBOOK, local_inventory, dict(unverified, register_allow_insecure=True))
    result = allowed.results(TASK)["spoke-1"]
    assert allowed.rc == 0 and result["insecure"] is True
    assert any("TLS verification off" in w for w in result["warnings"])
    (secret,) = local_fleet.argocd_secrets().values()
    assert as_argocd(secret)[1]["config"]["tlsClientConfig"]["insecure"] is True


def test_the_gitops_preset_syncs_workloads_and_nothing_cluster_wide(argocd_namespace, local_fleet, local_inventory):
    run = run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1", "register_rbac": "gitops"})
    assert run.rc == 0, run.stdout
    (secret,) = local_fleet.argocd_secrets().values()
    api, _cluster = as_argocd(secret)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    try:
        core.create_namespace({"metadata": {"name": "gitops-app"}})
        apps.create_namespaced_deployment("gitops-app", {
            "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "docker.io/library/nginx:1.27"}]}}}})
        assert {n.metadata.name for n in core.list_namespace().items} >= {"kube-system", "gitops-app"}
        for forbidden in (
                lambda: client.RbacAuthorizationV1Api(api).create_cluster_role({"metadata": {"name": "escalate"}}),
                lambda: client.RbacAuthorizationV1Api(api).create_namespaced_role_binding("gitops-app", {
                    "metadata": {"name": "escalate"}, "subjects": [{"kind": "User", "name": "x"}],
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                "name": "cluster-admin"}}),
                lambda: core.patch_node("kwok-node-0", {"metadata": {"labels": {"x": "y"}}})):
            with pytest.raises(client.ApiException) as denied:
                forbidden()
            assert denied.value.status == 403
    finally:
        delete_namespace(local_fleet.kubeconfig, "spoke-1", "gitops-app")


def anchors(local_fleet, spoke="spoke-1"):
    return [s.metadata.name for s in local_fleet.core(spoke).list_namespaced_secret(
        "kube-system", label_selector="multicluster.hubspoke.io/token-anchor=argocd-manager").items]


def test_bound_tokens_expire_rotate_and_revoke(argocd_namespace, local_fleet, local_inventory):
    """A bound token (TokenRequest), as argo-cd issues 9610 and 16035 ask: it works for Argo CD, a second run
    keeps it, a rotation revokes it by deleting its anchor, and going back to long-lived revokes the bound one."""
    assert run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1"}).rc == 0
    long_lived = hub_token(local_fleet)
    bound = {"register_hosts": "spoke-1", "register_token_expiration": "1h"}
    first = run_playbook(PLAYBOOK, local_inventory, bound)
    assert first.rc == 0 and first.changed == 1, first.stdout
    token = hub_token(local_fleet)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert 3500 < claims["exp"] - claims["iat"] <= 3600
    assert claims["kubernetes.io"]["secret"]["name"] == anchors(local_fleet)[0]
    assert first.results(TASK)["spoke-1"]["token_expires"].endswith("Z")
    assert local_fleet.status_with_token("spoke-1", token) == 200
    assert local_fleet.revoked("spoke-1", long_lived) and not token_secrets(local_fleet)

    again = run_playbook(PLAYBOOK, local_inventory, bound)
    assert again.rc == 0 and again.changed == 0 and hub_token(local_fleet) == token, again.stdout

    rotated = run_playbook(PLAYBOOK, local_inventory, dict(bound, register_rotate=True))
    assert rotated.rc == 0 and rotated.results(TASK)["spoke-1"]["rotated"] is True
    assert hub_token(local_fleet) != token and len(anchors(local_fleet)) == 1
    assert local_fleet.revoked("spoke-1", token)
    newer = hub_token(local_fleet)

    back = run_playbook(PLAYBOOK, local_inventory, {"register_hosts": "spoke-1"})
    assert back.rc == 0 and not anchors(local_fleet) and local_fleet.revoked("spoke-1", newer)
    assert local_fleet.status_with_token("spoke-1", hub_token(local_fleet)) == 200
