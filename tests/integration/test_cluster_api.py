"""Cluster API provisioning, from declaring clusters to Synced apps to clean removal, with real parts: Cluster
API's core manager (built from sigs.k8s.io/cluster-api) against the hub, the development-only localfleet
provider (localfleet/capi.py) starting a real local cluster for each Cluster, Argo CD's controllers and
Karmada's control plane; playbooks/provision_clusters.yml with the local inventory and a capi source on the hub.
"""

import shutil

import pytest
import yaml
from kubernetes import client, dynamic

import upstream
from helpers import ROOT, as_argocd, delete_namespace, fleet_api, run_playbook, wait_for
from localfleet import capi, config, demo_app, fleet

pytestmark = pytest.mark.builds("argocd", "karmada", "capi")

PROVISION = ROOT / "playbooks/provision_clusters.yml"
SITE = ROOT / "playbooks/site.yml"
NAMESPACE = "fleet"
APP = "team-web"
# The local inventory's spec, except that `vars.infrastructure` may name an infrastructure object nobody
# made: a Cluster whose infrastructure provider never delivers.
SPEC = {"infrastructureRef": {"apiGroup": capi.INFRASTRUCTURE[0], "kind": capi.INFRASTRUCTURE[1],
                              "name": "{{ cluster_api_cluster.vars.infrastructure | default(cluster_api_cluster.name) }}"},
        "controlPlaneRef": {"apiGroup": capi.CONTROL_PLANE[0], "kind": capi.CONTROL_PLANE[1],
                            "name": "{{ cluster_api_cluster.name }}"}}


def declared(*clusters, **extra):
    return {"cluster_api_namespace": NAMESPACE, "cluster_api_cluster_spec": SPEC, "cluster_api_wait_timeout": 60,
            "cluster_api_clusters": list(clusters), **extra}


SHOP_A = {"name": "shop-a", "labels": {"environment": "production", "fleet": "capi"}, "karmada": True}
SHOP_B = {"name": "shop-b", "labels": {"environment": "production", "fleet": "capi"}, "karmada": True}


@pytest.fixture(name="management", scope="module")
def fixture_management(local_fleet, tmp_path_factory):
    """Cluster API, Argo CD and Karmada beside the hub; the local inventory plus a capi source on the hub."""
    was_up = {row["cluster"] for row in fleet.status() if row["state"] == "up"}
    fleet.up(len(local_fleet.spokes), argocd=True, karmada=True, capi=True)
    demo_app.topology_repositories(config.GIT_DIR)
    inventory = tmp_path_factory.mktemp("capi") / "inventory"
    shutil.copytree(fleet.local_inventory(), inventory)
    (inventory / "capi.clusters.yml").write_text(yaml.safe_dump({
        "plugin": "hubspoke.multicluster.clusters",
        "sources": [{"type": "capi", "name": "capi", "hub": local_fleet.hub, "kubeconfig": str(local_fleet.kubeconfig),
                     "context": local_fleet.hub, "namespace": NAMESPACE}]}))
    install = run_playbook(SITE, inventory, {"argocd_hub_version": upstream.version_of("argo-cd"),
                                             "argocd_hub_manifests": str(upstream.fetch("argo-cd"))},
                           limit=local_fleet.hub, tags="argocd_hub")
    assert install.rc == 0, install.stdout
    remove_applicationset(local_fleet)  # what an interrupted run left
    yield inventory
    run_playbook(PROVISION, inventory, declared(dict(SHOP_A, state="absent"), dict(SHOP_B, state="absent"),
                                                {"name": "stuck", "state": "absent"}))
    remove_applicationset(local_fleet)
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, NAMESPACE, timeout=180)
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "argocd", timeout=180)
    for plane in ("cluster-api", "karmada", "argocd"):
        if plane not in was_up:
            fleet.stop(plane)


def applicationsets(local_fleet):
    return dynamic.DynamicClient(local_fleet.api(local_fleet.hub)).resources.get(
        api_version="argoproj.io/v1alpha1", kind="ApplicationSet")


def remove_applicationset(local_fleet):
    try:
        applicationsets(local_fleet).delete(name=APP, namespace="argocd")
    except dynamic.exceptions.NotFoundError:
        pass


def cluster_objects(local_fleet):
    return {c.metadata.name for c in dynamic.DynamicClient(local_fleet.api(local_fleet.hub)).resources.get(
        api_version="cluster.x-k8s.io/v1beta2", kind="Cluster").get(namespace=NAMESPACE).items}


def argocd_clusters(local_fleet):
    """{name: cluster} of the hub's Argo CD cluster Secrets, each with an ApiClient built as Argo CD builds it."""
    return {as_argocd(s)[1]["name"]: as_argocd(s) for s in local_fleet.argocd_secrets().values()}


def karmada_members():
    return {c.metadata.name for c in dynamic.DynamicClient(fleet_api(config.KARMADA_KUBECONFIG, "karmada")).resources.get(
        api_version="cluster.karmada.io/v1alpha1", kind="Cluster").get().items}


def provisioned_api(name, tmp_path):
    """An admin client of the local cluster the provider started for Cluster `name`."""
    spec = config.load_spec(capi.provisioned_name(name))
    return fleet_api(fleet.write_kubeconfig([spec], tmp_path / f"{name}.kubeconfig"), spec.name)


def test_bad_input_changes_nothing(management, local_fleet):
    run = run_playbook(PROVISION, management, declared(SHOP_A, {"name": "Shop_C"}))
    assert run.rc != 0
    assert "name 'Shop_C' is not a DNS-1123 label" in run.stdout
    assert not cluster_objects(local_fleet) and "shop-a" not in argocd_clusters(local_fleet)


def test_declared_clusters_are_made_registered_and_deleted(management, local_fleet, tmp_path):
    """Two clusters made, both in Argo CD (their tokens work) and Karmada, an ApplicationSet selecting their label
    deploys to both; a third that never comes up fails alone, naming what it misses; shop-b deleted leaves
    Argo CD, Karmada and the hub, and its cluster is stopped and removed."""
    stuck = {"name": "stuck", "vars": {"infrastructure": "never-made"}}
    run = run_playbook(PROVISION, management, declared(SHOP_A, SHOP_B, stuck, cluster_api_wait_timeout=20))
    assert run.rc != 0
    assert "stuck is not provisioned after 20s" in run.stdout
    assert "missing InfrastructureReady, ControlPlaneInitialized, kubeconfig Secret stuck-kubeconfig" in run.stdout
    registered = argocd_clusters(local_fleet)
    for name in ("shop-a", "shop-b"):
        api, cluster = registered[name]
        assert cluster["labels"]["fleet"] == "capi"
        assert client.CoreV1Api(api).list_namespace().items  # the token Argo CD holds works
    assert "stuck" not in registered
    wait_for(lambda: {"shop-a", "shop-b"} <= karmada_members(), "shop-a and shop-b in Karmada")

    run = run_playbook(PROVISION, management, declared(SHOP_A, SHOP_B))
    assert run.rc == 0 and run.changed == 0, run.stdout

    applicationsets(local_fleet).create(body={
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": APP, "namespace": "argocd"},
        "spec": {"goTemplate": True,
                 "generators": [{"clusters": {"selector": {"matchLabels": {"fleet": "capi"}}}}],
                 "template": {"metadata": {"name": APP + "-{{.name}}"}, "spec": {
                     "project": "default",
                     "source": {"repoURL": f"file://{config.GIT_DIR}/apps.git", "targetRevision": "main", "path": APP},
                     "destination": {"server": "{{.server}}", "namespace": APP},
                     "syncPolicy": {"automated": {}, "syncOptions": ["CreateNamespace=true"]}}}}})
    for name in ("shop-a", "shop-b"):
        apps = client.AppsV1Api(provisioned_api(name, tmp_path))
        wait_for(lambda a=apps: (a.list_namespaced_deployment(APP).items or [None])[0] is not None
                 and a.list_namespaced_deployment(APP).items[0].status.available_replicas == 1, f"{APP} on {name}")

    run = run_playbook(PROVISION, management, declared(SHOP_A, dict(SHOP_B, state="absent")))
    assert run.rc == 0, run.stdout
    assert "shop-b" not in argocd_clusters(local_fleet) and "shop-a" in argocd_clusters(local_fleet)
    assert "shop-b" not in karmada_members() and "shop-a" in karmada_members()
    assert cluster_objects(local_fleet) == {"shop-a", "stuck"}
    assert not config.load_spec(capi.provisioned_name("shop-b"))
