"""The clusters inventory plugin against the local fleet: Argo CD cluster Secrets on the real hub,
real ServiceAccount tokens from the spokes, hosts/groups/vars as Ansible sees them."""

import base64
import json
import os
import subprocess
import time

import pytest
import yaml
from kubernetes import client

from helpers import ROOT, delete_namespace, fleet_api, kube_system_uid, run_playbook, unwrap

NAMESPACE = "argocd"
SA = "inventory-reader"
LABELS = {
    "spoke-1": {"environment": "production", "region": "cn-hangzhou", "team": "payments"},
    "spoke-2": {"environment": "staging", "region": "cn-shanghai", "team": "search"},
}


def api(local_fleet, context):
    return fleet_api(local_fleet.kubeconfig, context)


def b64(text):
    return base64.b64encode(text.encode()).decode()


def spoke_token(local_fleet, spoke):
    """A ServiceAccount on the spoke that may read (view) and its long-lived token, as `argocd cluster add` makes."""
    core = client.CoreV1Api(api(local_fleet, spoke))
    rbac = client.RbacAuthorizationV1Api(api(local_fleet, spoke))
    core.create_namespaced_service_account("kube-system", {"metadata": {"name": SA}})
    rbac.create_cluster_role_binding({
        "metadata": {"name": SA},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": SA, "namespace": "kube-system"}]})
    core.create_namespaced_secret("kube-system", {
        "metadata": {"name": SA, "annotations": {"kubernetes.io/service-account.name": SA}},
        "type": "kubernetes.io/service-account-token"})
    for _attempt in range(100):
        data = core.read_namespaced_secret(SA, "kube-system").data or {}
        if data.get("token"):
            return base64.b64decode(data["token"]).decode(), data["ca.crt"]
        time.sleep(0.1)
    raise AssertionError("token controller did not fill the token Secret on " + spoke)


def cluster_secret(name, server, labels, config_json):
    return {"metadata": {"name": "cluster-" + name, "labels": {"argocd.argoproj.io/secret-type": "cluster", **labels},
                         "annotations": {"owner": "team-" + labels.get("team", "platform")}},
            "data": {"name": b64(name), "server": b64(server), "config": b64(json.dumps(config_json))}}


@pytest.fixture(scope="module")
def registered(local_fleet):
    """Two spokes registered to the hub by hand (registration has its own module), plus in-cluster."""
    hub = client.CoreV1Api(api(local_fleet, local_fleet.hub))
    hub.create_namespace({"metadata": {"name": NAMESPACE}})
    tokens = {}
    kubeconfig = yaml.safe_load(local_fleet.kubeconfig.read_text())
    servers = {c["name"]: c["cluster"]["server"] for c in kubeconfig["clusters"]}
    for spoke in ("spoke-1", "spoke-2"):
        token, ca_data = spoke_token(local_fleet, spoke)
        tokens[spoke] = token
        hub.create_namespaced_secret(NAMESPACE, cluster_secret(spoke, servers[spoke], LABELS[spoke], {
            "bearerToken": token, "tlsClientConfig": {"insecure": False, "caData": ca_data}}))
    hub.create_namespaced_secret(NAMESPACE, cluster_secret(
        "in-cluster", "https://kubernetes.default.svc", {"environment": "production"}, {}))
    yield tokens
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, NAMESPACE)
    for spoke in ("spoke-1", "spoke-2"):
        core = client.CoreV1Api(api(local_fleet, spoke))
        core.delete_namespaced_service_account(SA, "kube-system")
        client.RbacAuthorizationV1Api(api(local_fleet, spoke)).delete_cluster_role_binding(SA)


@pytest.fixture(name="inventory_file")
def fixture_inventory_file(local_fleet, tmp_path):
    def write(**overrides):
        doc = {
            "plugin": "hubspoke.multicluster.clusters",
            "sources": [
                {"type": "kubeconfig", "name": "local", "path": str(local_fleet.kubeconfig), "contexts": ["hub"],
                 "context_labels": {"hub": {"role": "hub"}}},
                {"type": "argocd", "name": "argocd_hub", "hub": "hub", "kubeconfig": str(local_fleet.kubeconfig),
                 "context": local_fleet.hub},
            ],
            "keyed_groups": [{"key": "hubspoke_labels.team | default('none')", "prefix": "team"}],
            **overrides,
        }
        path = tmp_path / "fleet.clusters.yml"
        path.write_text(yaml.safe_dump(doc))
        return path
    return write


def inventory(path, *args):
    proc = subprocess.run(["ansible-inventory", "-i", str(path), *args], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    return proc


def test_hosts_groups_and_vars(registered, inventory_file, local_fleet):
    proc = inventory(inventory_file(), "--list", "--export")
    assert proc.returncode == 0, proc.stderr
    doc = unwrap(json.loads(proc.stdout))
    hostvars = doc["_meta"]["hostvars"]
    # in-cluster is the hub itself: merged with the kubeconfig context by server URL
    assert set(hostvars) == {"hub", "spoke-1", "spoke-2"}
    assert hostvars["hub"]["hubspoke_sources"] == ["local", "argocd_hub"]
    assert hostvars["hub"]["hubspoke_labels"] == {"role": "hub", "environment": "production"}
    assert set(doc["env_production"]["hosts"]) == {"hub", "spoke-1"}
    assert doc["env_staging"]["hosts"] == ["spoke-2"]
    assert doc["region_cn_hangzhou"]["hosts"] == ["spoke-1"]
    assert set(doc["hub_hub"]["hosts"]) == {"hub", "spoke-1", "spoke-2"}
    assert doc["team_payments"]["hosts"] == ["spoke-1"]
    assert set(doc["source_argocd_hub"]["hosts"]) == {"hub", "spoke-1", "spoke-2"}
    spoke = hostvars["spoke-1"]
    assert spoke["ansible_connection"] == "hubspoke.multicluster.cluster"
    assert "cluster_kubeconfig" in spoke["hubspoke_connection"]["kubeconfig"]
    assert spoke["hubspoke_server"].startswith("https://127.0.0.1:")
    assert spoke["hubspoke_annotations"] == {"owner": "team-payments"}
    assert spoke["hubspoke_details"]["secret"] == "cluster-spoke-1"
    assert "cluster_kubeconfig" in spoke["hubspoke_kubeconfig"]
    # credentials are referred to, never printed
    for token in registered.values():
        assert token not in proc.stdout


def test_play_over_a_label_group_reaches_exactly_its_clusters(registered, inventory_file, local_fleet):
    run = run_playbook(ROOT / "tests/integration/playbooks/whoami.yml", inventory_file(),
                       {"target": "env_production"})
    assert run.rc == 0, run.stdout + run.stderr
    results = run.results("Read the cluster's kube-system Namespace")
    assert set(results) == {"hub", "spoke-1"}
    for host, result in results.items():
        assert result["resources"][0]["metadata"]["uid"] == kube_system_uid(local_fleet.kubeconfig, host)
    for token in registered.values():
        assert token not in run.stdout


def test_graph_and_patterns(registered, inventory_file):
    proc = subprocess.run(["ansible", "-i", str(inventory_file()), "env_staging:&region_cn_shanghai", "--list-hosts"],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-1] == "spoke-2" and "hosts (1)" in proc.stdout
    graph = inventory(inventory_file(), "--graph")
    assert "@env_staging:" in graph.stdout and "spoke-2" in graph.stdout


def test_unreachable_source_warns_and_the_others_load(registered, inventory_file, local_fleet):
    dead = {"type": "argocd", "name": "dead_hub", "kubeconfig": str(local_fleet.kubeconfig),
            "context": local_fleet.spokes[-1], "namespace": "argocd"}
    path = inventory_file()
    doc = yaml.safe_load(path.read_text())
    doc["sources"].append(dict(dead, context="missing-context"))
    path.write_text(yaml.safe_dump(doc))
    proc = inventory(path, "--list")
    assert proc.returncode == 0, proc.stderr
    assert "skipping source dead_hub" in proc.stderr and "missing-context" in proc.stderr
    assert set(json.loads(proc.stdout)["_meta"]["hostvars"]) == {"hub", "spoke-1", "spoke-2"}

    doc["fail_on_source_error"] = True
    path.write_text(yaml.safe_dump(doc))
    proc = inventory(path, "--list")
    assert "source dead_hub" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_duplicate_host_names_leave_both_clusters_out(registered, inventory_file):
    """Neither of two clusters behind one host name may receive the other's tasks: both are left out, loudly."""
    proc = inventory(inventory_file(hostname="label:environment", label_groups={}), "--list")
    assert proc.returncode == 0, proc.stderr
    assert "leaving out host name 'production': it names two clusters" in proc.stderr
    assert "production" not in json.loads(proc.stdout)["_meta"]["hostvars"]
    assert "Traceback" not in proc.stderr


def test_awx_example_reaches_the_hub_through_k8s_auth_environment(registered, local_fleet):
    """inventories/awx.clusters.yml names no kubeconfig: the hub comes from K8S_AUTH_* as AWX's Kubernetes
    credential injects them (the collection's own credential type is tested in test_awx.py). The hub is a host
    of its own, named by the source's `hub`, in role_hub."""
    proc = subprocess.run(["ansible-inventory", "-i", "inventories/awx.clusters.yml", "--list", "--export"],
                          capture_output=True, text=True, check=False, cwd=ROOT,
                          env={**os.environ, "K8S_AUTH_KUBECONFIG": str(local_fleet.kubeconfig),
                               "K8S_AUTH_CONTEXT": local_fleet.hub})
    assert proc.returncode == 0, proc.stderr
    doc = unwrap(json.loads(proc.stdout))
    assert set(doc["_meta"]["hostvars"]) == {"hub", "spoke-1", "spoke-2", "edge-hz-1"}
    assert doc["role_hub"]["hosts"] == ["hub"]
    assert set(doc["team_payments"]["hosts"]) == {"spoke-1"}
    assert "edge-hz-1" in doc["role_edge"]["hosts"]
    for token in registered.values():
        assert token not in proc.stdout


def test_inventory_cache_serves_while_the_hub_is_down(registered, inventory_file, local_fleet, tmp_path):
    """Cacheable: a fresh cache answers without the hub; --flush-cache goes back to it."""
    from localfleet import fleet  # pylint: disable=import-outside-toplevel

    path = inventory_file(cache=True, cache_plugin="ansible.builtin.jsonfile",
                          cache_connection=str(tmp_path / "cache"), cache_timeout=600)
    first = inventory(path, "--list")
    assert first.returncode == 0, first.stderr
    fleet.stop(local_fleet.hub)
    try:
        cached = inventory(path, "--list")
        flushed = inventory(path, "--list", "--flush-cache")
    finally:
        fleet.start(local_fleet.hub)
    assert cached.returncode == 0 and "skipping source" not in cached.stderr
    assert set(unwrap(json.loads(cached.stdout))["_meta"]["hostvars"]) == {"hub", "spoke-1", "spoke-2"}
    cached_text = "".join(f.read_text() for f in (tmp_path / "cache").iterdir())
    assert "cluster_kubeconfig" in cached_text or "argocd" in cached_text
    for token in registered.values():
        assert token not in cached_text
    assert "skipping source argocd_hub" in flushed.stderr and "skipping source local" not in flushed.stderr
