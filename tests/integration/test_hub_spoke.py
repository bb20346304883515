"""The hub-spoke loop through the playbooks users run, on the local fleet and its own inventory.

site.yml installs Argo CD on the hub (from the pinned upstream module), registers every spoke with its
inventory labels and applies the ApplicationSets; rotate_credentials.yml and deregister.yml follow.
"""


import pytest
from kubernetes import client

import upstream
from helpers import INVENTORY, ROOT, argocd_cluster_secrets, as_argocd, assert_no_secret_in, delete_namespace, run_playbook

SITE = ROOT / "playbooks/site.yml"
ROTATE = ROOT / "playbooks/rotate_credentials.yml"
DEREGISTER = ROOT / "playbooks/deregister.yml"
REGISTER = ROOT / "playbooks/register_spokes.yml"
APPSETS = ROOT / "tests/integration/playbooks/applicationsets.yml"
ARGOCD_WORKLOADS = {"argocd-applicationset-controller", "argocd-dex-server", "argocd-notifications-controller",
                    "argocd-redis", "argocd-repo-server", "argocd-server", "argocd-application-controller"}


def argocd_installed(local_fleet):
    return "argocd" in {n.metadata.name for n in local_fleet.core(local_fleet.hub).list_namespace().items}


@pytest.fixture(name="fresh_hub")
def fixture_fresh_hub(local_fleet):
    """A hub without Argo CD and spokes without registrations, as on a new fleet."""
    run_playbook(DEREGISTER, INVENTORY)
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "argocd")


@pytest.fixture(name="hub", scope="module")
def fixture_hub(local_fleet):
    """The loop installed once for the tests of this file; the fleet is left as found afterwards."""
    yield
    run_playbook(DEREGISTER, INVENTORY)
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "argocd")


@pytest.fixture(name="installed_hub")
def fixture_installed_hub(hub, local_fleet):
    if not argocd_installed(local_fleet):
        assert run_playbook(SITE, INVENTORY).rc == 0
    return hub


def tokens_by_cluster(local_fleet):
    return {as_argocd(s)[1]["name"]: as_argocd(s)[1]["config"]["bearerToken"] for s in local_fleet.argocd_secrets().values()}


def test_site_installs_argocd_registers_spokes_and_routes_apps(hub, fresh_hub, local_fleet):
    check = run_playbook(SITE, INVENTORY, check=True)
    assert check.rc == 0, check.stdout
    hub_core = local_fleet.core(local_fleet.hub)
    assert not argocd_installed(local_fleet)
    with pytest.raises(client.ApiException):
        local_fleet.core("spoke-1").read_namespaced_service_account("argocd-manager", "kube-system")

    first = run_playbook(SITE, INVENTORY, verbosity=3)
    assert first.rc == 0 and first.failed == 0, first.stdout
    assert_no_secret_in(first, local_fleet.secrets())
    hub_api = local_fleet.api(local_fleet.hub)
    apps = client.AppsV1Api(hub_api)
    workloads = apps.list_namespaced_deployment("argocd").items + apps.list_namespaced_stateful_set("argocd").items
    assert {w.metadata.name for w in workloads} == ARGOCD_WORKLOADS
    assert all(w.status.ready_replicas == w.spec.replicas for w in workloads)

    # Every spoke is registered with its inventory labels (inventories/local/fleet.clusters.yml).
    secrets = {as_argocd(s)[1]["name"]: s for s in local_fleet.argocd_secrets().values()}
    assert set(secrets) == set(local_fleet.spokes)
    assert secrets["spoke-1"].metadata.labels == {"argocd.argoproj.io/secret-type": "cluster", "role": "spoke",
                                                  "environment": "production", "region": "cn-hangzhou"}
    for secret in secrets.values():
        api = as_argocd(secret)[0]
        assert "kube-system" in {n.metadata.name for n in client.CoreV1Api(api).list_namespace().items}

    # ApplicationSets and AppProjects were accepted by the real CRD schemas.
    custom = client.CustomObjectsApi(hub_api)
    appsets = {a["metadata"]["name"]: a for a in
               custom.list_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applicationsets")["items"]}
    assert set(appsets) == {"guestbook"}
    assert appsets["guestbook"]["spec"]["template"]["metadata"]["name"] == "guestbook-{{.name}}"
    assert appsets["guestbook"]["spec"]["template"]["spec"]["source"]["path"] == (
        'guestbook/overlays/{{index .metadata.labels "environment"}}')
    assert appsets["guestbook"]["spec"]["generators"][0]["clusters"]["selector"] == {
        "matchExpressions": [{"key": "environment", "operator": "In", "values": ["production"]}]}
    project = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "appprojects", "cn-hangzhou")
    assert project["spec"]["destinations"] == [{"name": "in-cluster", "namespace": "*"},
                                               {"name": "spoke-1", "namespace": "*"}]
    rbac = hub_core.read_namespaced_config_map("argocd-rbac-cm", "argocd").data
    assert "p, role:platform, clusters, delete, *, deny" in rbac["policy.csv"]
    assert rbac["policy.default"] == "role:readonly"

    again = run_playbook(SITE, INVENTORY)
    assert again.rc == 0 and again.changed == 0, again.stdout

    # A bad selector stops the role before anything is applied, naming the ApplicationSet and the term.
    bad = {"name": "guestbook", "repo_url": "https://git.example.com/other.git", "path": "x",
           "selector": {"matchExpressions": [{"key": "environment", "operator": "Equals", "values": ["a"]}]}}
    refused = run_playbook(APPSETS, INVENTORY, {"applicationsets_items": [bad]})
    assert refused.rc != 0 and "Equals" in refused.stdout, refused.stdout
    unchanged = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applicationsets", "guestbook")
    assert unchanged["spec"] == appsets["guestbook"]["spec"]

    # So does a destination the AppProject does not permit: cn-hangzhou allows in-cluster and spoke-1, and the
    # production selector picks spoke-2 too, whose Application would never sync.
    outside = {"name": "hangzhou-only", "repo_url": "https://git.example.com/other.git", "path": "x",
               "project": "cn-hangzhou", "selector": {"matchLabels": {"environment": "production"}}}
    refused = run_playbook(APPSETS, INVENTORY, {"applicationsets_items": [outside]})
    assert refused.rc != 0 and ("Application hangzhou-only-spoke-2 (ApplicationSet hangzhou-only): AppProject cn-hangzhou "
                                "does not permit cluster spoke-2, namespace hangzhou-only") in refused.stdout, refused.stdout
    assert "hangzhou-only" not in {a["metadata"]["name"] for a in custom.list_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "argocd", "applicationsets")["items"]}

    # Platform add-ons: every directory of addons/ on every spoke outside staging, a Matrix accepted by the CRD.
    addons = {"name": "addons", "repo_url": "https://git.example.com/fleet/platform.git",
              "git_directories": ["addons/*"], "destination_namespace": "kube-system",
              "selector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["spoke"]},
                                                {"key": "environment", "operator": "NotIn", "values": ["staging"]}]},
              "sync": {"prune": False, "create_namespace": False}}
    assert run_playbook(APPSETS, INVENTORY, {"applicationsets_items": [addons]}).rc == 0
    applied = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applicationsets", "addons")
    assert applied["spec"]["generators"][0]["matrix"]["generators"][1]["clusters"]["selector"] == {
        "matchExpressions": [{"key": "role", "operator": "In", "values": ["spoke"]},
                             {"key": "environment", "operator": "NotIn", "values": ["staging"]}]}
    assert run_playbook(APPSETS, INVENTORY, {"applicationsets_items": [dict(addons, state="absent")]}).rc == 0


def test_one_unreachable_spoke_does_not_stop_the_others(installed_hub, ghost_spoke, local_fleet):
    run = run_playbook(REGISTER, [INVENTORY, ghost_spoke])
    assert run.stats["ghost"]["failures"] == 1
    assert "127.0.0.1:1" in run.results("Register the spoke to its Argo CD hub")["ghost"]["msg"]
    assert set(tokens_by_cluster(local_fleet)) == set(local_fleet.spokes)
    assert all(run.stats[spoke]["failures"] == 0 for spoke in local_fleet.spokes)


def test_one_task_registers_the_play_and_each_spoke_reports_its_own(installed_hub, local_fleet):
    """The role registers the play's spokes in one task run once; each spoke's change, diff and failure stay its
    own, in check mode too, and a registration skipped for its first host fails each spoke, saying so."""
    assert run_playbook(REGISTER, INVENTORY).rc == 0
    first, rest = local_fleet.spokes[0], local_fleet.spokes[1:]
    before = local_fleet.argocd_secrets()
    relabel = {"argocd_cluster_labels": "{{ hubspoke_labels | combine({'tier': 'gold'}) if inventory_hostname == '%s'"
                                        " else hubspoke_labels }}" % first}
    check = run_playbook(REGISTER, INVENTORY, relabel, check=True, diff=True)
    assert check.rc == 0 and check.stats[first]["changed"] == 1, check.stdout
    assert all(check.stats[spoke]["changed"] == 0 for spoke in rest), check.stdout
    diff = check.results("Register the spoke to its Argo CD hub")[first]["diff"]
    assert diff["after"]["metadata"]["labels"]["tier"] == "gold" and "tier" not in diff["before"]["metadata"]["labels"]
    assert local_fleet.argocd_secrets() == before  # check mode changed nothing

    broken = {"argocd_cluster_rbac": "{{ 'custom' if inventory_hostname == '%s' else 'full' }}" % first}
    run = run_playbook(REGISTER, INVENTORY, dict(relabel, **broken))
    assert run.rc != 0 and run.stats[first]["failures"] == 1
    assert "rules" in run.results("Register the spoke to its Argo CD hub")[first]["msg"]
    assert all(run.stats[spoke]["failures"] == 0 for spoke in rest), run.stdout
    assert local_fleet.argocd_secrets()[as_secret_name(before, first)].metadata.labels.get("tier") is None

    skipped = run_playbook(ROOT / "tests/integration/playbooks/register_skipping_first.yml", INVENTORY)
    for spoke in rest:
        assert skipped.stats.get(spoke, {}).get("failures") == 1, skipped.stdout + skipped.stderr
        assert "was skipped" in skipped.results("Register the spoke to its Argo CD hub")[spoke]["msg"]


def as_secret_name(secrets, cluster):
    """The name of the hub Secret of `cluster` among {name: Secret}."""
    return next(name for name, secret in secrets.items() if as_argocd(secret)[1]["name"] == cluster)


def test_rotate_then_deregister(installed_hub, local_fleet):
    registered = run_playbook(REGISTER, INVENTORY, verbosity=3)
    assert registered.rc == 0
    held = local_fleet.secrets()
    assert_no_secret_in(registered, held)
    before = tokens_by_cluster(local_fleet)

    rotated = run_playbook(ROTATE, INVENTORY, verbosity=3)
    assert rotated.rc == 0 and rotated.changed == len(local_fleet.spokes), rotated.stdout
    assert_no_secret_in(rotated, held | local_fleet.secrets())
    after = tokens_by_cluster(local_fleet)
    for spoke in local_fleet.spokes:
        assert after[spoke] != before[spoke]
        assert local_fleet.revoked(spoke, before[spoke])
        assert local_fleet.status_with_token(spoke, after[spoke]) == 200
        assert after[spoke] not in rotated.stdout and before[spoke] not in rotated.stdout
    # Only one token Secret is left on each spoke: the one the hub holds.
    token_secrets = [s.metadata.name for s in local_fleet.core("spoke-1").list_namespaced_secret(
        "kube-system", field_selector="type=kubernetes.io/service-account-token").items]
    assert len(token_secrets) == 1 and token_secrets[0].startswith("argocd-manager-long-lived-token-")

    young = run_playbook(ROTATE, INVENTORY, {"rotate_credentials_max_age": "1h"})
    assert young.rc == 0 and young.changed == 0, young.stdout
    assert run_playbook(REGISTER, INVENTORY).changed == 0  # registration keeps the rotated token

    held = local_fleet.secrets()
    removed = run_playbook(DEREGISTER, INVENTORY, limit="spoke-1", verbosity=3)
    assert removed.rc == 0 and removed.changed == 1
    assert_no_secret_in(removed, held)
    assert set(tokens_by_cluster(local_fleet)) == set(local_fleet.spokes) - {"spoke-1"}
    with pytest.raises(client.ApiException):
        local_fleet.core("spoke-1").read_namespaced_service_account("argocd-manager", "kube-system")
    assert not local_fleet.core("spoke-1").list_namespaced_secret(
        "kube-system", field_selector="type=kubernetes.io/service-account-token").items
    assert run_playbook(DEREGISTER, INVENTORY, limit="spoke-1").changed == 0


def test_hub_per_group_with_ha_argocd(installed_hub, local_fleet):
    """spoke-2 becomes a second hub (HA Argo CD) for spoke-1, which stays registered to the first hub too:
    one ServiceAccount per hub on the spoke, chosen by inventory variables only."""
    second_hub, spoke = local_fleet.spokes[1], local_fleet.spokes[0]
    topology = {"hubspoke_hubs": second_hub, "hubspoke_spokes": spoke, "argocd_cluster_hub": second_hub,
                "argocd_cluster_service_account": "argocd-manager-" + second_hub, "argocd_hub_flavor": "ha",
                "argocd_hub_version": upstream.version_of("argo-cd"),
                "argocd_hub_manifests": str(upstream.fetch("argo-cd"))}
    assert run_playbook(REGISTER, INVENTORY).rc == 0  # every spoke on the first hub, whatever ran before
    try:
        first = run_playbook(SITE, INVENTORY, topology)
        assert first.rc == 0, first.stdout
        apps = client.AppsV1Api(local_fleet.api(second_hub))
        redis_ha = apps.read_namespaced_stateful_set("argocd-redis-ha-server", "argocd")
        assert redis_ha.spec.replicas == 3 and redis_ha.status.ready_replicas == 3
        assert apps.read_namespaced_deployment("argocd-redis-ha-haproxy", "argocd").status.available_replicas == 3
        (secret,) = argocd_cluster_secrets(local_fleet.kubeconfig, second_hub).values()
        api, cluster = as_argocd(secret)
        assert cluster["name"] == spoke and cluster["labels"]["region"] == "cn-hangzhou"
        assert client.CoreV1Api(api).list_namespace().items
        assert spoke in {as_argocd(s)[1]["name"] for s in local_fleet.argocd_secrets().values()}

        again = run_playbook(SITE, INVENTORY, topology)
        assert again.rc == 0 and again.changed == 0, again.stdout
    finally:
        run_playbook(DEREGISTER, INVENTORY, topology)
        delete_namespace(local_fleet.kubeconfig, second_hub, "argocd", timeout=180)
    # Leaving the second hub took nothing from the first.
    assert spoke in {as_argocd(s)[1]["name"] for s in local_fleet.argocd_secrets().values()}
