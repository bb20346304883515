"""Karmada federation on the local fleet: its control plane runs as processes (fleet.up(karmada=True)), the
spokes join it through the collection's playbooks, and a Deployment declared once on Karmada really lands
on the members, split 2:1 by inventory group, with a per-region image override.
"""

import base64
import subprocess
import time

import pytest
import yaml
from kubernetes import client, dynamic

import upstream
from helpers import INVENTORY, ROOT, assert_no_secret_in, delete_namespace, fleet_api, kube_system_uid, run_playbook
from localfleet import config, fleet

pytestmark = pytest.mark.builds("karmada")

JOIN = ROOT / "playbooks/karmada_join.yml"
POLICIES = ROOT / "playbooks/karmada_policies.yml"
WHOAMI = ROOT / "tests/integration/playbooks/whoami.yml"
DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "docker.io/library/nginx:1.27"}]}}}}
WEB = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}]
SHANGHAI_REGISTRY = "registry.cn-shanghai.example.com"
POLICY_VARS = {
    "karmada_policies_resources": [DEPLOYMENT],
    "karmada_policies_propagation": [{
        "name": "web", "namespace": "default", "resources": WEB,
        "placement": {"selector": {"matchLabels": {"role": "spoke"}}},
        "weights": {"region_cn_hangzhou": 2, "region_cn_shanghai": 1}}],
    "karmada_policies_override": [{
        "name": "web-registry", "namespace": "default", "resources": WEB,
        "rules": [{"groups": ["region_cn_shanghai"], "image_registry": SHANGHAI_REGISTRY}]}],
}


@pytest.fixture(name="karmada", scope="module")
def fixture_karmada(local_fleet):
    """Karmada's control plane beside the fleet; stopped afterwards unless it was running before."""
    was_up = any(row["cluster"] == "karmada" and row["state"] == "up" for row in fleet.status())
    fleet.up(len(local_fleet.spokes), karmada=True)
    api = fleet_api(config.KARMADA_KUBECONFIG, "karmada")
    yield dynamic.DynamicClient(api)
    run_playbook(POLICIES, INVENTORY, {"karmada_policies_propagation": [
        dict(POLICY_VARS["karmada_policies_propagation"][0], state="absent")], "karmada_policies_override": [
        dict(POLICY_VARS["karmada_policies_override"][0], state="absent")]})
    try:
        client.AppsV1Api(api).delete_namespaced_deployment("web", "default")
    except client.ApiException:
        pass
    run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"})
    if not was_up:
        fleet.stop("karmada")


@pytest.fixture(name="unjoined")
def fixture_unjoined(karmada):
    """No member joined yet, as on a new fleet."""
    assert run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}).rc == 0
    return karmada


def clusters(karmada):
    return {c.metadata.name: c for c in karmada.resources.get(
        api_version="cluster.karmada.io/v1alpha1", kind="Cluster").get().items}


def ready(cluster):
    return any(c.type == "Ready" and c.status == "True" for c in cluster.status.conditions or [])


def wait_for(check, what, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def deployment(local_fleet, spoke):
    try:
        return client.AppsV1Api(local_fleet.api(spoke)).read_namespaced_deployment("web", "default")
    except client.ApiException as err:
        if err.status == 404:
            return None
        raise


def test_join_check_mode_then_join_with_labels(karmada, unjoined, local_fleet):
    check = run_playbook(JOIN, INVENTORY, check=True)
    assert check.rc == 0 and check.changed == len(local_fleet.spokes), check.stdout
    assert not clusters(karmada)
    assert "karmada-cluster" not in {n.metadata.name for n in local_fleet.core("spoke-1").list_namespace().items}

    first = run_playbook(JOIN, INVENTORY, verbosity=3)
    assert first.rc == 0, first.stdout
    assert_no_secret_in(first, local_fleet.secrets())
    joined = clusters(karmada)
    assert set(joined) == set(local_fleet.spokes)
    for spoke in local_fleet.spokes:
        cluster = joined[spoke]
        assert ready(cluster)
        assert cluster.spec.syncMode == "Push"
        assert cluster.spec.id == kube_system_uid(local_fleet.kubeconfig, spoke)
        assert cluster.spec.secretRef.name == spoke and cluster.spec.impersonatorSecretRef.name == f"{spoke}-impersonator"
        assert cluster.metadata.labels["role"] == "spoke"
        # karmadactl join's member objects
        member = local_fleet.core(spoke)
        member.read_namespaced_service_account(f"karmada-{spoke}", "karmada-cluster")
        member.read_namespaced_service_account("karmada-impersonator", "karmada-cluster")
        client.RbacAuthorizationV1Api(local_fleet.api(spoke)).read_cluster_role_binding(
            f"karmada-controller-manager:karmada-{spoke}")
        # control-plane Secrets owned by the Cluster, so Karmada's garbage collector follows it
        secret = client.CoreV1Api(karmada.client).read_namespaced_secret(spoke, "karmada-cluster")
        assert set(secret.data) == {"caBundle", "token"}
        assert secret.metadata.owner_references[0].uid == cluster.metadata.uid
        assert secret.data["token"] not in first.stdout
    assert joined["spoke-1"].metadata.labels["region"] == "cn-hangzhou"
    assert joined["spoke-2"].spec.region == "cn-shanghai"

    again = run_playbook(JOIN, INVENTORY)
    assert again.rc == 0 and again.changed == 0, again.stdout


def test_labels_follow_the_inventory(karmada, local_fleet):
    assert run_playbook(JOIN, INVENTORY).rc == 0
    relabel = {"karmada_member_labels": {"environment": "staging", "tier": "gold"}}
    changed = run_playbook(JOIN, INVENTORY, relabel, limit="spoke-1")
    assert changed.rc == 0 and changed.changed == 1, changed.stdout
    labels = clusters(karmada)["spoke-1"].metadata.labels
    assert labels["environment"] == "staging" and labels["tier"] == "gold" and "region" not in labels
    back = run_playbook(JOIN, INVENTORY, limit="spoke-1")
    assert back.rc == 0 and back.changed == 1
    labels = clusters(karmada)["spoke-1"].metadata.labels
    assert labels["environment"] == "production" and "tier" not in labels


def test_weighted_propagation_with_override(karmada, local_fleet):
    assert run_playbook(JOIN, INVENTORY).rc == 0
    check = run_playbook(POLICIES, INVENTORY, POLICY_VARS, check=True)
    assert check.rc == 0, check.stdout
    assert deployment(local_fleet, "spoke-1") is None

    run = run_playbook(POLICIES, INVENTORY, POLICY_VARS, verbosity=3)
    assert run.rc == 0, run.stdout
    assert_no_secret_in(run, local_fleet.secrets())
    spoke1 = wait_for(lambda: (d := deployment(local_fleet, "spoke-1")) and d.status.available_replicas == 2 and d,
                      "2 available replicas on spoke-1")
    spoke2 = wait_for(lambda: (d := deployment(local_fleet, "spoke-2")) and d.status.available_replicas == 1 and d,
                      "1 available replica on spoke-2")
    assert spoke1.spec.replicas == 2 and spoke2.spec.replicas == 1
    assert spoke1.spec.template.spec.containers[0].image == "docker.io/library/nginx:1.27"
    assert spoke2.spec.template.spec.containers[0].image == f"{SHANGHAI_REGISTRY}/library/nginx:1.27"

    again = run_playbook(POLICIES, INVENTORY, POLICY_VARS)
    assert again.rc == 0 and again.changed == 0, again.stdout


@pytest.mark.parametrize("policy, message", [
    ({"placement": {"groups": ["region_mars"]}}, "unknown inventory group 'region_mars'"),
    ({"weights": {"spoke-9": 1}}, "weight 'spoke-9' names no inventory group or cluster"),
    ({"placement": {"selector": {"matchExpressions": [{"key": "env", "operator": "Near"}]}}}, "Near"),
])
def test_bad_policy_is_refused_before_anything_changes(karmada, policy, message):
    policies = [dict({"name": "bad", "namespace": "default", "resources": WEB}, **policy)]
    run = run_playbook(POLICIES, INVENTORY, {"karmada_policies_propagation": policies,
                                             "karmada_policies_resources": [DEPLOYMENT]})
    assert run.rc != 0 and run.changed == 0
    assert message in run.stdout
    names = {p.metadata.name for p in karmada.resources.get(
        api_version="policy.karmada.io/v1alpha1", kind="PropagationPolicy").get(namespace="default").items}
    assert "bad" not in names


def test_unreachable_member_fails_alone(karmada, local_fleet, ghost_spoke):
    run = run_playbook(JOIN, [INVENTORY, ghost_spoke])
    assert run.stats["ghost"]["failures"] == 1
    assert "cannot reach the member at https://127.0.0.1:1" in run.results("Join the member to Karmada")["ghost"]["msg"]
    assert all(run.stats[spoke]["failures"] == 0 for spoke in local_fleet.spokes)
    assert "ghost" not in clusters(karmada)


def test_karmada_source_reaches_members_with_karmadas_tokens(karmada, local_fleet, tmp_path):
    assert run_playbook(JOIN, INVENTORY).rc == 0
    inventory = tmp_path / "karmada.clusters.yml"
    inventory.write_text(yaml.safe_dump({
        "plugin": "hubspoke.multicluster.clusters",
        "sources": [{"type": "karmada", "name": "karmada", "kubeconfig": str(config.KARMADA_KUBECONFIG),
                     "context": "karmada"}],
        "keyed_groups": [{"key": "hubspoke_labels.region", "prefix": "region"}]}))
    run = run_playbook(WHOAMI, inventory)
    assert run.rc == 0, run.stdout + run.stderr
    results = run.results("Read the cluster's kube-system Namespace")
    assert set(results) == set(local_fleet.spokes)
    for host, result in results.items():
        assert result["resources"][0]["metadata"]["uid"] == kube_system_uid(local_fleet.kubeconfig, host)
    groups = run_playbook(WHOAMI, inventory, {"target": "region_cn_shanghai"})
    assert set(groups.results("Read the cluster's kube-system Namespace")) == {"spoke-2"}


def test_pull_mode_with_karmada_agent(karmada, local_fleet, tmp_path):
    """spoke-2 in Pull mode. Under KWOK the agent's Deployment runs no code, so the test runs karmada-agent as a
    local process with the kubeconfig the module wrote into the member: the agent's rights are exactly the
    module's RBAC, and the Cluster it registers is the one Karmada uses."""
    pull = {"karmada_member_sync_mode": "Pull", "karmada_member_wait_ready": False}
    assert run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-2").rc == 0
    first = run_playbook(JOIN, INVENTORY, pull, limit="spoke-2")
    assert first.rc == 0 and first.changed == 1, first.stdout
    secret = local_fleet.core("spoke-2").read_namespaced_secret("karmada-kubeconfig", "karmada-system")
    agent_kubeconfig = tmp_path / "karmada-agent.kubeconfig"
    agent_kubeconfig.write_bytes(base64.b64decode(secret.data["karmada-kubeconfig"]))
    assert secret.data["karmada-kubeconfig"] not in first.stdout
    deployment = client.AppsV1Api(local_fleet.api("spoke-2")).read_namespaced_deployment("karmada-agent", "karmada-system")
    assert "--cluster-name=spoke-2" in deployment.spec.template.spec.containers[0].command
    member_kubeconfig = tmp_path / "spoke-2.kubeconfig"
    member_kubeconfig.write_text(yaml.safe_dump(dict(yaml.safe_load(local_fleet.kubeconfig.read_text()),
                                                     **{"current-context": "spoke-2"})))
    server = local_fleet.api("spoke-2").configuration.host
    agent = subprocess.Popen(  # pylint: disable=consider-using-with
        [str(config.binary("karmada-agent")), f"--karmada-kubeconfig={agent_kubeconfig}",
         f"--kubeconfig={member_kubeconfig}", "--cluster-name=spoke-2", f"--cluster-api-endpoint={server}",
         "--leader-elect=false", "--metrics-bind-address=0", "--health-probe-bind-address=0",
         "--cluster-status-update-frequency=5s"],
        stdout=(tmp_path / "agent.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "spoke-2" in clusters(karmada) and ready(clusters(karmada)["spoke-2"]),
                 "the agent's Cluster to be Ready")
        assert clusters(karmada)["spoke-2"].spec.syncMode == "Pull"
        labelled = run_playbook(JOIN, INVENTORY, dict(pull, karmada_member_wait_ready=True), limit="spoke-2")
        assert labelled.rc == 0 and labelled.changed == 1, labelled.stdout
        assert clusters(karmada)["spoke-2"].metadata.labels["region"] == "cn-shanghai"
        assert run_playbook(JOIN, INVENTORY, pull, limit="spoke-2").changed == 0
        switch = run_playbook(JOIN, INVENTORY, limit="spoke-2")
        assert switch.rc != 0 and "already joined in Pull mode" in switch.stdout
    finally:
        agent.terminate()  # what deleting the agent's Deployment does on a real member
        agent.wait()
    gone = run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-2")
    assert gone.rc == 0 and gone.changed == 1, gone.stdout
    assert "spoke-2" not in clusters(karmada)
    names = {b.metadata.name for b in client.RbacAuthorizationV1Api(karmada.client).list_cluster_role_binding().items}
    assert "system:karmada:spoke-2:agent" not in names
    apps = client.AppsV1Api(local_fleet.api("spoke-2"))
    assert not apps.list_namespaced_deployment("karmada-system").items
    assert run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-2").changed == 0


def test_unjoin_one_member_cleans_both_sides(karmada, local_fleet):
    assert run_playbook(JOIN, INVENTORY).rc == 0
    run = run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-2")
    assert run.rc == 0 and run.changed == 1, run.stdout
    assert set(clusters(karmada)) == {"spoke-1"}
    plane_secrets = {s.metadata.name for s in client.CoreV1Api(karmada.client).list_namespaced_secret(
        "karmada-cluster").items}
    assert not plane_secrets & {"spoke-2", "spoke-2-impersonator"}
    member = local_fleet.api("spoke-2")
    assert "karmada-cluster" not in {n.metadata.name for n in client.CoreV1Api(member).list_namespace().items}
    assert "karmada-controller-manager:karmada-spoke-2" not in {
        b.metadata.name for b in client.RbacAuthorizationV1Api(member).list_cluster_role_binding().items}
    again = run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-2")
    assert again.rc == 0 and again.changed == 0, again.stdout


def member_tokens(local_fleet, spoke):
    """{Secret name: token} of the member's token Secrets for its karmada-<name> ServiceAccount."""
    items = local_fleet.core(spoke).list_namespaced_secret(
        "karmada-cluster", field_selector="type=kubernetes.io/service-account-token").items
    return {s.metadata.name: base64.b64decode(s.data["token"]).decode() for s in items
            if s.metadata.annotations.get("kubernetes.io/service-account.name") == f"karmada-{spoke}"
            and (s.data or {}).get("token")}


def plane_token(karmada, spoke):
    return base64.b64decode(client.CoreV1Api(karmada.client).read_namespaced_secret(
        spoke, "karmada-cluster").data["token"]).decode()


def test_rotation_switches_karmada_then_revokes_the_old_tokens(karmada, local_fleet):
    assert run_playbook(JOIN, INVENTORY).rc == 0
    old = plane_token(karmada, "spoke-1")
    rotated = run_playbook(JOIN, INVENTORY, {"karmada_member_rotate": True}, limit="spoke-1", verbosity=3)
    assert rotated.rc == 0 and rotated.results("Join the member to Karmada")["spoke-1"]["rotated"] is True
    new = plane_token(karmada, "spoke-1")
    assert new != old and list(member_tokens(local_fleet, "spoke-1").values()) == [new]
    assert local_fleet.status_with_token("spoke-1", new) == 200
    assert local_fleet.revoked("spoke-1", old)
    assert_no_secret_in(rotated, local_fleet.secrets() | {old})
    wait_for(lambda: ready(clusters(karmada)["spoke-1"]), "spoke-1 Ready with its new token")
    again = run_playbook(JOIN, INVENTORY, limit="spoke-1")
    assert again.rc == 0 and again.changed == 0, again.stdout


def test_unjoin_keeps_a_cluster_namespace_the_join_did_not_create(karmada, local_fleet):
    assert run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-1").rc == 0
    member = local_fleet.core("spoke-1")
    member.create_namespace({"metadata": {"name": "karmada-cluster"}})
    member.create_namespaced_config_map("karmada-cluster", {"metadata": {"name": "theirs"}})
    try:
        assert run_playbook(JOIN, INVENTORY, limit="spoke-1").rc == 0
        assert "app.kubernetes.io/managed-by" not in (member.read_namespace("karmada-cluster").metadata.labels or {})
        gone = run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-1")
        assert gone.rc == 0 and gone.changed == 1, gone.stdout
        member.read_namespaced_config_map("theirs", "karmada-cluster")  # their namespace and what it holds stay
        assert not member.list_namespaced_service_account(
            "karmada-cluster", field_selector="metadata.name=karmada-spoke-1").items
        again = run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-1")
        assert again.rc == 0 and again.changed == 0, again.stdout
    finally:
        delete_namespace(local_fleet.kubeconfig, "spoke-1", "karmada-cluster")


def test_a_dead_member_is_unjoined_on_the_control_plane_with_a_warning(karmada, local_fleet):
    assert run_playbook(JOIN, INVENTORY).rc == 0
    fleet.stop("spoke-2")
    try:
        # Karmada drops the member's Works once it sees the member not Ready (tens of seconds): give it time.
        gone = run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent", "karmada_member_wait_timeout": 180},
                            limit="spoke-2")
        assert gone.rc == 0, gone.stdout
        result = gone.results("Join the member to Karmada")["spoke-2"]
        assert result["member_reachable"] is False and "Namespace karmada-cluster" in result["left_on_member"]
        assert any("unjoined spoke-2 on the control plane only" in w for w in result["warnings"])
        assert "spoke-2" not in clusters(karmada)
        assert not {s.metadata.name for s in client.CoreV1Api(karmada.client).list_namespaced_secret(
            "karmada-cluster").items} & {"spoke-2", "spoke-2-impersonator"}
    finally:
        fleet.start("spoke-2")
    cleaned = run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"}, limit="spoke-2")
    assert cleaned.rc == 0 and cleaned.changed == 1, cleaned.stdout
    assert "karmada-cluster" not in {n.metadata.name for n in local_fleet.core("spoke-2").list_namespace().items}


def test_exported_kubeconfig_reaches_karmada(karmada, local_fleet):
    """What the operator does once Karmada is Ready (status.secretRef to an admin kubeconfig) is done here by
    the test, since under KWOK nothing runs the operator; the role's wait, read and server override are real."""
    playbook = ROOT / "tests/integration/playbooks/karmada_control_plane.yml"
    source = {"karmada_control_plane_manifests": str(upstream.fetch("karmada") / "operator")}
    assert run_playbook(playbook, INVENTORY, source).rc == 0
    hub_api = local_fleet.api(local_fleet.hub)
    plane = yaml.safe_load(config.KARMADA_KUBECONFIG.read_text())
    server = plane["clusters"][0]["cluster"]["server"]
    plane["clusters"][0]["cluster"]["server"] = "https://karmada-apiserver.karmada-system.svc.cluster.local:5443"
    local_fleet.core(local_fleet.hub).create_namespaced_secret("karmada-system", {
        "metadata": {"name": "karmada-admin-config"}, "stringData": {"karmada.config": yaml.safe_dump(plane)}})
    karmadas = dynamic.DynamicClient(hub_api).resources.get(api_version="operator.karmada.io/v1alpha1", kind="Karmada")
    karmadas.status.patch(name="karmada", namespace="karmada-system", content_type="application/merge-patch+json", body={
        "status": {"secretRef": {"namespace": "karmada-system", "name": "karmada-admin-config"},
                   "conditions": [{"type": "Ready", "status": "True", "reason": "Completed", "message": "",
                                   "lastTransitionTime": "2026-01-01T00:00:00Z"}]}})
    try:
        run = run_playbook(ROOT / "tests/integration/playbooks/karmada_export.yml", INVENTORY,
                           dict(source, karmada_control_plane_server=server))
        assert run.rc == 0, run.stdout
        listed = run.results("List Karmada's clusters with the exported kubeconfig")["hub"]
        assert listed["api_found"] is True
        assert plane["users"][0]["user"]["client-key-data"] not in run.stdout
    finally:
        run_playbook(playbook, INVENTORY, dict(source, karmada_control_plane_state="absent"))


def test_operator_install_on_the_hub(local_fleet):
    playbook = ROOT / "tests/integration/playbooks/karmada_control_plane.yml"
    source = {"karmada_control_plane_manifests": str(upstream.fetch("karmada") / "operator")}
    hub_api = local_fleet.api(local_fleet.hub)
    check = run_playbook(playbook, INVENTORY, source, check=True)
    assert check.rc == 0 and check.changed == 1, check.stdout
    assert "karmada-system" not in {n.metadata.name for n in local_fleet.core(local_fleet.hub).list_namespace().items}

    first = run_playbook(playbook, INVENTORY, source)
    assert first.rc == 0, first.stdout
    operator = client.AppsV1Api(hub_api).read_namespaced_deployment("karmada-operator", "karmada-system")
    assert operator.status.available_replicas == 1
    assert operator.spec.template.spec.containers[0].image == "docker.io/karmada/karmada-operator:v1.18.2"
    pods = local_fleet.core(local_fleet.hub).list_namespaced_pod("karmada-system").items
    assert [p.status.phase for p in pods] == ["Running"]
    karmada = dynamic.DynamicClient(hub_api).resources.get(api_version="operator.karmada.io/v1alpha1", kind="Karmada")
    spec = karmada.get(name="karmada", namespace="karmada-system").spec
    assert spec.components.karmadaControllerManager.imageTag == "v1.18.2"
    assert run_playbook(playbook, INVENTORY, source).changed == 0

    gone = run_playbook(playbook, INVENTORY, dict(source, karmada_control_plane_state="absent"))
    assert gone.rc == 0 and gone.changed > 0, gone.stdout
    assert "karmada-system" not in {n.metadata.name for n in local_fleet.core(local_fleet.hub).list_namespace().items}
    assert run_playbook(playbook, INVENTORY, dict(source, karmada_control_plane_state="absent")).changed == 0
