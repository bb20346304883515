"""Cluster API and OCM sources against the real hub, with the upstream CRDs of the pinned modules.

A CAPI Cluster for spoke-1 with its `<name>-kubeconfig` Secret: the host is reached through the
cluster_kubeconfig lookup. An OCM ManagedCluster for spoke-2 carries labels but no credentials: it
merges (same API URL) with a static entry that knows how to reach it.
"""

import base64
import json
import subprocess

import pytest
import yaml
from kubernetes import client, dynamic

import upstream
from helpers import ROOT, delete_namespace, fleet_api, install_crds, kube_system_uid, run_playbook, unwrap

CRDS = [upstream.fetch("cluster-api") / "crds/cluster.x-k8s.io_clusters.yaml",
        upstream.fetch("ocm-api") / "crds/managedclusters.crd.yaml"]
NAMESPACE = "capi-clusters"


def server_of(local_fleet, context):
    doc = yaml.safe_load(local_fleet.kubeconfig.read_text())
    return next(c["cluster"]["server"] for c in doc["clusters"] if c["name"] == context)


def single_context_kubeconfig(local_fleet, context):
    """What CAPI stores in `<name>-kubeconfig`: a kubeconfig for that one cluster."""
    doc = yaml.safe_load(local_fleet.kubeconfig.read_text())
    ctx = next(c for c in doc["contexts"] if c["name"] == context)
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": context,
        "clusters": [c for c in doc["clusters"] if c["name"] == ctx["context"]["cluster"]],
        "users": [u for u in doc["users"] if u["name"] == ctx["context"]["user"]],
        "contexts": [ctx]})


@pytest.fixture(scope="module")
def hub_objects(local_fleet):
    hub_api = fleet_api(local_fleet.kubeconfig, local_fleet.hub)
    install_crds(hub_api, CRDS)
    dyn = dynamic.DynamicClient(hub_api)
    core = client.CoreV1Api(hub_api)
    core.create_namespace({"metadata": {"name": NAMESPACE}})
    port = int(server_of(local_fleet, "spoke-1").rsplit(":", 1)[1])
    dyn.resources.get(api_version="cluster.x-k8s.io/v1beta2", kind="Cluster").create(namespace=NAMESPACE, body={
        "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
        "metadata": {"name": "spoke-1", "labels": {"environment": "production", "cloud": "local"}},
        "spec": {"controlPlaneEndpoint": {"host": "127.0.0.1", "port": port}}})
    core.create_namespaced_secret(NAMESPACE, {
        "metadata": {"name": "spoke-1-kubeconfig", "labels": {"cluster.x-k8s.io/cluster-name": "spoke-1"}},
        "data": {"value": base64.b64encode(single_context_kubeconfig(local_fleet, "spoke-1").encode()).decode()}})
    managed = dyn.resources.get(api_version="cluster.open-cluster-management.io/v1", kind="ManagedCluster")
    managed.create(body={
        "apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
        "metadata": {"name": "spoke-2", "labels": {"environment": "staging", "vendor": "kwok"}},
        "spec": {"hubAcceptsClient": True, "managedClusterClientConfigs": [{"url": server_of(local_fleet, "spoke-2")}]}})
    yield
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, NAMESPACE)
    managed.delete(name="spoke-2")


def test_capi_and_ocm_sources(hub_objects, local_fleet, tmp_path):
    inventory = tmp_path / "mgmt.clusters.yml"
    inventory.write_text(yaml.safe_dump({
        "plugin": "hubspoke.multicluster.clusters",
        "sources": [
            {"type": "capi", "name": "capi", "hub": "mgmt", "kubeconfig": str(local_fleet.kubeconfig),
             "context": local_fleet.hub, "namespace": NAMESPACE},
            {"type": "ocm", "name": "ocm", "hub": "mgmt", "kubeconfig": str(local_fleet.kubeconfig),
             "context": local_fleet.hub},
            {"type": "static", "name": "static", "clusters": [
                {"name": "spoke-2-static", "server": server_of(local_fleet, "spoke-2"),
                 "kubeconfig": str(local_fleet.kubeconfig), "context": "spoke-2", "labels": {"tier": "gold"}}]},
        ]}))
    run = run_playbook(ROOT / "tests/integration/playbooks/whoami.yml", inventory)
    assert run.rc == 0, run.stdout + run.stderr
    results = run.results("Read the cluster's kube-system Namespace")
    # spoke-2 is named by the OCM source (first to find it) and reached with the static entry's context
    assert set(results) == {"spoke-1", "spoke-2"}
    for host, result in results.items():
        assert result["resources"][0]["metadata"]["uid"] == kube_system_uid(local_fleet.kubeconfig, host)

    listing = subprocess.run(["ansible-inventory", "-i", str(inventory), "--list"], capture_output=True, text=True,
                             check=True, cwd=ROOT)
    doc = unwrap(json.loads(listing.stdout))
    spoke2 = doc["_meta"]["hostvars"]["spoke-2"]
    assert spoke2["hubspoke_sources"] == ["ocm", "static"]
    assert spoke2["hubspoke_labels"] == {"environment": "staging", "vendor": "kwok", "tier": "gold"}
    assert spoke2["hubspoke_context"] == "spoke-2"
    spoke1 = doc["_meta"]["hostvars"]["spoke-1"]
    assert spoke1["hubspoke_details"]["namespace"] == NAMESPACE
    assert "cluster_kubeconfig" in spoke1["hubspoke_kubeconfig"]
    assert doc["env_production"]["hosts"] == ["spoke-1"] and doc["env_staging"]["hosts"] == ["spoke-2"]
    assert set(doc["hub_mgmt"]["hosts"]) == {"spoke-1", "spoke-2"}
