"""The four Argo CD topologies of inventories/examples, each with real Argo CD controllers: one controller set
per Argo CD instance the topology runs (fleet.up(argocd=[...])), the example inventory pointed at this fleet
(its hosts mapped onto the fleet's contexts, its group_vars and host_vars as written), and site.yml as a user
runs it. In each, team-web (apps.git) lands where the topology says and nowhere else.

The fleet has a third spoke for this file: per group needs two hubs and a cluster for each.
"""

import re
import shutil

import pytest
import yaml
from kubernetes import client, dynamic

import upstream
from helpers import ROOT, argocd_cluster_secrets, as_argocd, delete_namespace, run_playbook, wait_for
from localfleet import config, demo_app, fleet

pytestmark = pytest.mark.builds("argocd")

SITE = ROOT / "playbooks/site.yml"
DEREGISTER = ROOT / "playbooks/deregister.yml"
EXAMPLES = ROOT / "inventories/examples"
APP = "team-web"
ARGOCD_CRDS = ("applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io")


@pytest.fixture(name="fleet4", scope="module")
def fixture_fleet4(local_fleet):
    """The hub and three spokes, the topologies' repositories; afterwards the fleet of two again."""
    fleet.up(3)
    demo_app.topology_repositories(config.GIT_DIR)
    yield local_fleet.contexts + ("spoke-3",)
    fleet.up(len(local_fleet.spokes))


@pytest.fixture(name="extra", scope="module")
def fixture_extra():
    """The examples' repositories on this fleet, and Argo CD's objects at the version of its controllers."""
    return {"fleet_git_base": f"file://{config.GIT_DIR}", "argocd_hub_version": upstream.version_of("argo-cd"),
            "argocd_hub_manifests": str(upstream.fetch("argo-cd")),
            # Argo CD's core install (no UI, API server or Dex): which Argo CD delivers where needs no more.
            "argocd_hub_flavor": "core"}


@pytest.fixture(name="topology")
def fixture_topology(fleet4, extra, local_fleet, tmp_path):
    """topology(example, hosts, argocd): the example inventory over the fleet (`hosts` maps its hosts to the
    fleet's contexts), Argo CD's controllers beside the `argocd` contexts; all of it removed afterwards."""
    made = []
    clean(local_fleet, fleet4)  # what an interrupted run left

    def make(example, hosts, argocd):
        fleet.up(3, argocd=argocd)
        made.append((inventory_for(example, hosts, tmp_path), argocd))
        return made[-1][0]

    yield make
    for inventory, _argocd in made:
        run_playbook(DEREGISTER, inventory, extra)
    for _inventory, argocd in made:
        for context in argocd:
            fleet.stop("argocd" if context == local_fleet.hub else f"argocd@{context}")
    clean(local_fleet, fleet4)


def clean(local_fleet, contexts):
    """No Argo CD and no application on any cluster. The Applications lose their finalizer first: the
    controllers that would honour it are stopped, and team-web's namespace goes anyway."""
    for context in contexts:
        api = local_fleet.api(context)
        try:
            resource = dynamic.DynamicClient(api).resources.get(api_version="argoproj.io/v1alpha1", kind="Application")
            for app in resource.get(namespace="argocd").items:
                resource.patch(name=app.metadata.name, namespace="argocd", content_type="application/merge-patch+json",
                               body={"metadata": {"finalizers": None}})
        except (dynamic.exceptions.ResourceNotFoundError, dynamic.exceptions.NotFoundError):
            pass  # no Argo CD here (or its CRD went since the dynamic client's discovery cache was written)
        for namespace in (APP, "platform", "argocd"):
            delete_namespace(local_fleet.kubeconfig, context, namespace, timeout=180)
        if context != local_fleet.hub:
            remove_argocd(api)


def inventory_for(example, hosts, tmp_path):
    """The example's inventory with its kubeconfig source on the fleet: only the contexts `hosts` names, each
    with its example host's labels; host_vars files and host names in variables renamed the same way."""
    source_dir = EXAMPLES / example
    inventory = tmp_path / example
    shutil.copytree(source_dir / "group_vars", inventory / "group_vars")
    for path in (inventory / "group_vars").glob("*.yml"):
        path.write_text(renamed(path.read_text(), hosts))
    doc = yaml.safe_load((source_dir / "fleet.clusters.yml").read_text())
    source = doc["sources"][0]
    labels = source.pop("context_labels")
    source.update(path=str(config.KUBECONFIG), contexts=sorted(hosts.values()),
                  context_labels={context: labels[host] for host, context in hosts.items()})
    (inventory / "fleet.clusters.yml").write_text(yaml.safe_dump(doc))
    for path in sorted((source_dir / "host_vars").glob("*.yml")):
        (inventory / "host_vars").mkdir(exist_ok=True)
        (inventory / "host_vars" / f"{hosts[path.stem]}.yml").write_text(renamed(path.read_text(), hosts))
    return inventory


def renamed(text, hosts):
    """`text` with each example host name (a whole name, not part of a longer one) as the fleet's context."""
    for host, context in hosts.items():
        text = re.sub(rf"(?<![\w-]){re.escape(host)}(?![\w-])", context, text)
    return text


def remove_argocd(api):
    """What an Argo CD install leaves on a cluster besides its namespace: its CRDs and cluster RBAC."""
    extensions, rbac = client.ApiextensionsV1Api(api), client.RbacAuthorizationV1Api(api)
    deletes = [(extensions.delete_custom_resource_definition, name) for name in ARGOCD_CRDS]
    for listing, delete in ((rbac.list_cluster_role, rbac.delete_cluster_role),
                            (rbac.list_cluster_role_binding, rbac.delete_cluster_role_binding)):
        deletes += [(delete, item.metadata.name) for item in
                    listing(label_selector="app.kubernetes.io/part-of=argocd").items]
    for delete, name in deletes:
        try:
            delete(name)
        except client.ApiException as err:
            if err.status != 404:
                raise


def replicas(local_fleet, context):
    """(wanted, available) of team-web on a cluster, None where it is not."""
    try:
        deployment = local_fleet.apps(context).read_namespaced_deployment(APP, APP)
    except client.ApiException:
        return None
    return deployment.spec.replicas, deployment.status.available_replicas or 0


def applications(local_fleet, instance):
    """{name: destination server} of the Applications of the Argo CD on `instance`."""
    resource = dynamic.DynamicClient(local_fleet.api(instance)).resources.get(
        api_version="argoproj.io/v1alpha1", kind="Application")
    return {app.metadata.name: app.spec.destination.server for app in resource.get(namespace="argocd").items}


def server(context):
    return config.load_spec(context).server


def assert_lands_only_on(local_fleet, contexts, everywhere):
    for context in contexts:
        wait_for(lambda c=context: replicas(local_fleet, c) == (1, 1), f"{APP} Available on {context}")
    assert {c for c in everywhere if replicas(local_fleet, c)} == set(contexts)


def registered(local_fleet, hub):
    """The API servers of the cluster Secrets of the Argo CD on `hub`."""
    return {as_argocd(s)[1]["server"] for s in argocd_cluster_secrets(local_fleet.kubeconfig, hub).values()}


def test_central_one_argocd_delivers_to_the_production_clusters(topology, extra, fleet4, local_fleet):
    inventory = topology("central", {"argocd": "hub", "prod-hangzhou": "spoke-1", "prod-shanghai": "spoke-2",
                                     "staging-hangzhou": "spoke-3"}, argocd=["hub"])
    run = run_playbook(SITE, inventory, extra)
    assert run.rc == 0, run.stdout
    assert_lands_only_on(local_fleet, ["spoke-1", "spoke-2"], fleet4)
    assert registered(local_fleet, "hub") == {server(c) for c in ("spoke-1", "spoke-2", "spoke-3")}
    assert set(applications(local_fleet, "hub").values()) == {server("spoke-1"), server("spoke-2")}


def test_per_cluster_each_argocd_delivers_only_to_itself(topology, extra, fleet4, local_fleet):
    """Each cluster's own Argo CD, `in-cluster` only: no cluster Secret and no registration anywhere."""
    own = ["spoke-1", "spoke-2"]
    inventory = topology("per-cluster", {"prod-hangzhou": "spoke-1", "prod-shanghai": "spoke-2"}, argocd=own)
    run = run_playbook(SITE, inventory, extra)
    assert run.rc == 0, run.stdout
    assert_lands_only_on(local_fleet, own, fleet4)
    for context in own:
        assert applications(local_fleet, context) == {f"{APP}-in-cluster": "https://kubernetes.default.svc"}
        assert not argocd_cluster_secrets(local_fleet.kubeconfig, context)
        assert not local_fleet.core(context).list_namespaced_service_account(
            "kube-system", field_selector="metadata.name=argocd-manager").items
    again = run_playbook(SITE, inventory, extra)
    assert again.rc == 0 and again.changed == 0, again.stdout


def test_per_group_each_region_has_its_own_argocd(topology, extra, fleet4, local_fleet):
    """The hub is Hangzhou's Argo CD, spoke-2 Shanghai's; each holds its region's cluster and delivers there."""
    inventory = topology("per-group", {"argocd-hangzhou": "hub", "argocd-shanghai": "spoke-2",
                                       "prod-hangzhou": "spoke-1", "prod-shanghai": "spoke-3"},
                         argocd=["hub", "spoke-2"])
    run = run_playbook(SITE, inventory, extra)
    assert run.rc == 0, run.stdout
    assert_lands_only_on(local_fleet, ["spoke-1", "spoke-3"], fleet4)
    assert registered(local_fleet, "hub") == {server("spoke-1")}
    assert registered(local_fleet, "spoke-2") == {server("spoke-3")}
    assert set(applications(local_fleet, "hub").values()) == {server("spoke-1")}
    assert set(applications(local_fleet, "spoke-2").values()) == {server("spoke-3")}


def test_cockpit_and_fleet_the_fleet_argocd_syncs_with_the_cockpit_down(topology, extra, fleet4, local_fleet):
    """The cockpit (hub) delivers the platform baseline to spoke-1, whose own Argo CD delivers the team's app;
    with the cockpit's controllers stopped, a team's commit still reaches spoke-1."""
    inventory = topology("cockpit-fleet", {"cockpit": "hub", "prod-hangzhou": "spoke-1"}, argocd=["hub", "spoke-1"])
    cockpit = run_playbook(SITE, inventory, extra)
    assert cockpit.rc == 0, cockpit.stdout
    wait_for(lambda: baseline(local_fleet, "spoke-1"), "the platform baseline on spoke-1")
    own = run_playbook(SITE, inventory, [extra, {"hubspoke_hubs": "role_spoke", "hubspoke_spokes": "none"}])
    assert own.rc == 0, own.stdout
    assert_lands_only_on(local_fleet, ["spoke-1"], fleet4)
    assert set(applications(local_fleet, "hub")) == {"platform-baseline-spoke-1"}
    assert applications(local_fleet, "spoke-1") == {f"{APP}-in-cluster": "https://kubernetes.default.svc"}

    fleet.stop("argocd")
    try:
        demo_app.set_replicas(config.GIT_DIR / "apps.git", APP, 2)
        refresh(local_fleet, "spoke-1", f"{APP}-in-cluster")
        wait_for(lambda: replicas(local_fleet, "spoke-1") == (2, 2), f"{APP} scaled to 2 by spoke-1's own Argo CD")
    finally:
        fleet.start("argocd")
        demo_app.set_replicas(config.GIT_DIR / "apps.git", APP, 1)
    assert baseline(local_fleet, "spoke-1")


def baseline(local_fleet, context):
    try:
        return local_fleet.core(context).read_namespaced_config_map("platform-baseline", "platform").data
    except client.ApiException:
        return None


def refresh(local_fleet, instance, name):
    """What Git's webhook does: ask Argo CD to look at the repository now, not at its next poll."""
    resource = dynamic.DynamicClient(local_fleet.api(instance)).resources.get(
        api_version="argoproj.io/v1alpha1", kind="Application")
    resource.patch(name=name, namespace="argocd", content_type="application/merge-patch+json",
                   body={"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}})
