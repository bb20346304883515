"""Disaster recovery with Argo CD really syncing: its controllers run as processes against the hub
(fleet.up(argocd=True)), an ApplicationSet routes an application from a local Git repository to the spokes
registered by the collection, and failover.yml / failback.yml move it between them.

spoke-1 is the primary (3 replicas), spoke-2 the standby (0, the same manifests in its own folder); `shop`
is the same pair with one Kustomize folder and a replica override on the standby's Application.
"""

import re
import time

import pytest
from kubernetes import client, dynamic

import upstream
from helpers import INVENTORY, ROOT, assert_no_secret_in, delete_namespace, install_crds, run_playbook
from localfleet import config, demo_app, fleet
from localfleet.demo_app import TARGETS

pytestmark = pytest.mark.builds("argocd")

SITE = ROOT / "playbooks/site.yml"
DEREGISTER = ROOT / "playbooks/deregister.yml"
FAILOVER = ROOT / "playbooks/failover.yml"
FAILBACK = ROOT / "playbooks/failback.yml"
APPLICATIONSETS = ROOT / "tests/integration/playbooks/applicationsets.yml"


@pytest.fixture(name="dr", scope="module")
def fixture_dr(local_fleet, tmp_path_factory):
    """Argo CD running, the spokes registered, the web ApplicationSet applied, DNS on the primary."""
    was_up = any(row["cluster"] == "argocd" and row["state"] == "up" for row in fleet.status())
    fleet.up(len(local_fleet.spokes), argocd=True)
    repo = config.GIT_DIR / "apps.git"
    demo_app.seed_repository(repo)
    install_crds(local_fleet.api(local_fleet.hub), [upstream.fetch("external-dns") / "crds/dnsendpoints.externaldns.k8s.io.yaml"])
    vars_file = demo_app.write_vars(tmp_path_factory.mktemp("dr") / "vars.yml", repo)
    setup = run_playbook(SITE, INVENTORY, [f"@{vars_file}"])
    assert setup.rc == 0, setup.stdout
    yield {"vars": f"@{vars_file}", "repo": repo}
    run_playbook(DEREGISTER, INVENTORY)
    for context in local_fleet.contexts:
        delete_namespace(local_fleet.kubeconfig, context, "web")
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "argocd")
    if not was_up:
        fleet.stop("argocd")


def dr_run(dr, playbook, verbosity=0, **extra):
    return run_playbook(playbook, INVENTORY, [dr["vars"], {"failover_applications": ["web"], **extra}],
                        verbosity=verbosity)


def applications(local_fleet):
    return dynamic.DynamicClient(local_fleet.api(local_fleet.hub)).resources.get(
        api_version="argoproj.io/v1alpha1", kind="Application")


def application(local_fleet, cluster, name="web"):
    try:
        return applications(local_fleet).get(name=f"{name}-{cluster}", namespace="argocd")
    except dynamic.exceptions.NotFoundError:
        return None


def synced_and_healthy(app):
    return bool(app and app.status and app.status.sync and app.status.sync.status == "Synced"
                and app.status.health and app.status.health.status == "Healthy")


def available(local_fleet, cluster, name="web"):
    try:
        deployment = client.AppsV1Api(local_fleet.api(cluster)).read_namespaced_deployment(name, name)
    except client.ApiException:
        return None
    return deployment.spec.replicas, deployment.status.available_replicas or 0


def dns_targets(local_fleet, name="web"):
    endpoint = dynamic.DynamicClient(local_fleet.api(local_fleet.hub)).resources.get(
        api_version="externaldns.k8s.io/v1alpha1", kind="DNSEndpoint").get(name=name, namespace="default")
    return list(endpoint.spec.endpoints[0].targets)


def wait_for(check, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def commits(dr):
    return demo_app.git("log", "--format=%s", "main", cwd=dr["repo"]).splitlines()


def test_applicationset_routes_to_registered_spokes_and_argocd_syncs(dr, local_fleet):
    for cluster in local_fleet.spokes:
        wait_for(lambda c=cluster: synced_and_healthy(application(local_fleet, c)), f"web-{cluster} Synced/Healthy")
    assert available(local_fleet, "spoke-1") == (3, 3)
    assert available(local_fleet, "spoke-2") == (0, 0)
    # failback with traffic already on the primary establishes the DNS record and changes nothing else
    run = dr_run(dr, FAILBACK, failover_confirm="spoke-1")
    assert run.rc == 0, run.stdout
    assert dns_targets(local_fleet) == TARGETS["spoke-1"]
    assert commits(dr) == ["web"]


def test_refusals_change_nothing(dr, local_fleet):
    before = commits(dr)
    healthy = dr_run(dr, FAILOVER, failover_confirm="spoke-2")
    assert healthy.rc != 0
    assert "spoke-1 answers and runs every workload of web" in healthy.stdout
    unknown = dr_run(dr, FAILOVER, failover_confirm="spoke-2", failover_applications=["cart"])
    assert unknown.rc != 0 and "unknown application cart; the catalog (failover_catalog) has shop, web" in unknown.stdout
    unconfirmed = dr_run(dr, FAILOVER, failover_force=True)
    assert unconfirmed.rc != 0 and "confirm with -e failover_confirm=spoke-2" in unconfirmed.stdout
    fleet.stop("spoke-2")
    try:
        standby_down = dr_run(dr, FAILOVER, failover_confirm="spoke-2", failover_force=True)
    finally:
        fleet.start("spoke-2")
    assert standby_down.rc != 0 and "spoke-2, where traffic would move, is not ready" in standby_down.stdout
    assert commits(dr) == before
    assert dns_targets(local_fleet) == TARGETS["spoke-1"]
    assert available(local_fleet, "spoke-1") == (3, 3) and available(local_fleet, "spoke-2") == (0, 0)


def test_failover_with_the_primary_dead_then_failback(dr, local_fleet):
    held = local_fleet.secrets()
    fleet.stop("spoke-1")
    try:
        over = dr_run(dr, FAILOVER, failover_confirm="spoke-2", verbosity=3)
        assert over.rc == 0, over.stdout
        assert_no_secret_in(over, held)
        assert available(local_fleet, "spoke-2") == (3, 3)
        assert synced_and_healthy(application(local_fleet, "spoke-2"))
        assert dns_targets(local_fleet) == TARGETS["spoke-2"]
        # Git says 0 for the primary: Argo CD scales it down at its next full reconciliation once it is back
        assert commits(dr)[:2] == [
            "failover: web on spoke-1 to 0 replicas (traffic spoke-1 -> spoke-2)",
            "failover: web on spoke-2 to 3 replicas (traffic spoke-1 -> spoke-2)"]
        rto = float(re.search(r"traffic on spoke-2 ([0-9.]+) s after the start", over.stdout).group(1))
        assert rto < 120, over.stdout
        again = dr_run(dr, FAILOVER, failover_confirm="spoke-2")
        assert again.rc == 0 and again.changed == 0, again.stdout
    finally:
        fleet.start("spoke-1")

    back = dr_run(dr, FAILBACK, failover_confirm="spoke-1", verbosity=3)
    assert back.rc == 0, back.stdout
    assert_no_secret_in(back, local_fleet.secrets())
    assert available(local_fleet, "spoke-1") == (3, 3)
    assert synced_and_healthy(application(local_fleet, "spoke-1"))
    assert dns_targets(local_fleet) == TARGETS["spoke-1"]
    wait_for(lambda: available(local_fleet, "spoke-2") == (0, 0), "the standby at zero")
    again = dr_run(dr, FAILBACK, failover_confirm="spoke-1")
    assert again.rc == 0 and again.changed == 0, again.stdout


@pytest.fixture(name="shop")
def fixture_shop(dr, local_fleet):
    """shop's Applications (not generated by an ApplicationSet, which would revert an override)."""
    for body in demo_app.shop_applications(dr["repo"]):
        applications(local_fleet).create(body=body, namespace="argocd")
    yield
    for cluster in local_fleet.spokes:
        applications(local_fleet).delete(name=f"shop-{cluster}", namespace="argocd")
        delete_namespace(local_fleet.kubeconfig, cluster, "shop")


def test_argocd_mode_overrides_the_replicas_of_kustomize_applications(shop, dr, local_fleet):
    """Mode argocd: the replica override of each Application changes (Argo CD's kustomize renders it); Git
    does not. A planned switch, both clusters up."""
    for cluster in local_fleet.spokes:
        wait_for(lambda c=cluster: synced_and_healthy(application(local_fleet, c, "shop")), f"shop-{cluster} Synced/Healthy")
    assert available(local_fleet, "spoke-1", "shop") == (3, 3)
    assert available(local_fleet, "spoke-2", "shop") == (0, 0)
    before = commits(dr)
    shop = {"primary": "spoke-1", "standby": "spoke-2", "mode": "argocd", "replicas": 3,
            "dns": {"name": "shop.example.test", "cluster": "hub", "targets": TARGETS}}
    for refusal, message in (("shop-nowhere", "shop: no Application argocd/shop-nowhere on hub for spoke-2"),
                             ("shop-spoke-1", "shop: the Applications of spoke-1 and spoke-2 both render")):
        catalog = {"shop": dict(shop, argocd={"hub": "hub", "applications": {"spoke-1": "shop-spoke-1", "spoke-2": refusal}})}
        refused = dr_run(dr, FAILOVER, failover_applications=["shop"], failover_confirm="spoke-2", failover_force=True,
                         failover_catalog=catalog)
        assert refused.rc != 0 and message in refused.stdout, refused.stdout
    assert application(local_fleet, "spoke-2", "shop").spec.source.kustomize.replicas[0].count == 0

    over = dr_run(dr, FAILOVER, failover_applications=["shop"], failover_confirm="spoke-2", failover_force=True)
    assert over.rc == 0, over.stdout
    assert available(local_fleet, "spoke-2", "shop") == (3, 3)
    assert synced_and_healthy(application(local_fleet, "spoke-2", "shop"))
    assert dns_targets(local_fleet, "shop") == TARGETS["spoke-2"]
    overrides = {c: application(local_fleet, c, "shop").spec.source.kustomize.replicas[0].count for c in local_fleet.spokes}
    assert overrides == {"spoke-1": 0, "spoke-2": 3}
    wait_for(lambda: available(local_fleet, "spoke-1", "shop") == (0, 0), "Argo CD to scale the primary to zero")
    again = dr_run(dr, FAILOVER, failover_applications=["shop"], failover_confirm="spoke-2", failover_force=True)
    assert again.rc == 0 and again.changed == 0, again.stdout

    back = dr_run(dr, FAILBACK, failover_applications=["shop"], failover_confirm="spoke-1")
    assert back.rc == 0, back.stdout
    assert available(local_fleet, "spoke-1", "shop") == (3, 3)
    assert dns_targets(local_fleet, "shop") == TARGETS["spoke-1"]
    wait_for(lambda: available(local_fleet, "spoke-2", "shop") == (0, 0), "Argo CD to scale the standby to zero")
    again = dr_run(dr, FAILBACK, failover_applications=["shop"], failover_confirm="spoke-1")
    assert again.rc == 0 and again.changed == 0, again.stdout
    assert commits(dr) == before


GENERATORS = """\
applicationsets_items:
  - name: probe
    repo_url: file://{repo}
    revision: main
    path: !unsafe 'web/{{{{.name}}}}'
    app_name: !unsafe 'probe-{{{{.metadata.labels.region}}}}'
    selector: {{matchLabels: {{role: spoke}}}}
    sync: {{automated: false}}
  - definition:
      apiVersion: argoproj.io/v1alpha1
      kind: ApplicationSet
      metadata: {{name: by-list}}
      spec:
        goTemplate: true
        goTemplateOptions: [missingkey=error]
        generators:
          - list: {{elements: [{{cluster: spoke-1, url: '{spoke1}'}}]}}
        template:
          metadata: {{name: !unsafe 'by-list-{{{{.cluster}}}}'}}
          spec:
            project: default
            source: {{repoURL: 'file://{repo}', targetRevision: main, path: !unsafe 'web/{{{{.cluster}}}}'}}
            destination: {{server: !unsafe '{{{{.url}}}}', namespace: by-list}}
  - definition:
      apiVersion: argoproj.io/v1alpha1
      kind: ApplicationSet
      metadata: {{name: by-matrix}}
      spec:
        goTemplate: true
        goTemplateOptions: [missingkey=error]
        generators:
          - matrix:
              generators:
                - list: {{elements: [{{app: alpha}}, {{app: beta}}]}}
                - clusters: {{selector: {{matchLabels: {{region: cn-shanghai}}}}}}
        template:
          metadata: {{name: !unsafe '{{{{.app}}}}-{{{{.name}}}}'}}
          spec:
            project: default
            source: {{repoURL: 'file://{repo}', targetRevision: main, path: !unsafe 'web/{{{{.name}}}}'}}
            destination: {{server: !unsafe '{{{{.server}}}}', namespace: !unsafe '{{{{.app}}}}'}}
  - definition:
      apiVersion: argoproj.io/v1alpha1
      kind: ApplicationSet
      metadata: {{name: by-merge}}
      spec:
        goTemplate: true
        goTemplateOptions: [missingkey=error]
        generators:
          - merge:
              mergeKeys: [server]
              generators:
                - clusters: {{selector: {{matchLabels: {{role: spoke}}}}, values: {{namespace: merged}}}}
                - clusters: {{selector: {{matchLabels: {{region: cn-shanghai}}}}, values: {{namespace: merged-override}}}}
        template:
          metadata: {{name: !unsafe 'merged-{{{{.name}}}}'}}
          spec:
            project: default
            source: {{repoURL: 'file://{repo}', targetRevision: main, path: !unsafe 'web/{{{{.name}}}}'}}
            destination: {{server: !unsafe '{{{{.server}}}}', namespace: !unsafe '{{{{.values.namespace}}}}'}}
            syncPolicy: {{automated: {{prune: true}}, syncOptions: [CreateNamespace=true]}}
"""


def generated(local_fleet, appsets=("probe", "by-list", "by-matrix", "by-merge")):
    """{(ApplicationSet, Application, server, namespace)} of the Applications Argo CD's controller generated for
    these ApplicationSets."""
    found = set()
    for app in applications(local_fleet).get(namespace="argocd").items:
        owners = [ref.name for ref in app.metadata.ownerReferences or [] if ref.kind == "ApplicationSet"]
        if owners and owners[0] in appsets:
            destination = app.spec.destination
            found.add((owners[0], app.metadata.name, (destination.server or "").rstrip("/"), destination.namespace))
    return found


def test_the_applicationset_controller_generates_what_the_preview_predicted(dr, local_fleet, tmp_path):
    """Argo CD's ApplicationSet controller generates exactly the Applications the applicationsets role
    previewed, for a Cluster generator of the role's vocabulary (its name a template over a label) and for
    verbatim ApplicationSets with a List, a Matrix (List x Cluster) and a Merge generator (two Cluster
    generators merged by server); the Merge's Applications sync from the file:// repository, the second
    generator's values overriding the first's for the cluster both select, as the preview said."""
    spoke1 = local_fleet.api("spoke-1").configuration.host
    vars_file = tmp_path / "generators.yml"
    vars_file.write_text(GENERATORS.format(repo=dr["repo"], spoke1=spoke1))
    try:
        run = run_playbook(APPLICATIONSETS, INVENTORY, [f"@{vars_file}"])
        assert run.rc == 0, run.stdout
        preview = run.results("Require Argo CD on the hub")["hub"]["ansible_facts"]["__applicationsets_preview"]
        assert preview["unpredicted"] == [] and preview["problems"] == []
        predicted = {(a["applicationset"], a["name"], a["server"].rstrip("/"), a["namespace"])
                     for a in preview["applications"]}
        servers = {c: local_fleet.api(c).configuration.host.rstrip("/") for c in local_fleet.spokes}
        assert predicted == {
            ("probe", "probe-cn-hangzhou", servers["spoke-1"], "probe"),
            ("probe", "probe-cn-shanghai", servers["spoke-2"], "probe"),
            ("by-list", "by-list-spoke-1", servers["spoke-1"], "by-list"),
            ("by-matrix", "alpha-spoke-2", servers["spoke-2"], "alpha"),
            ("by-matrix", "beta-spoke-2", servers["spoke-2"], "beta"),
            ("by-merge", "merged-spoke-1", servers["spoke-1"], "merged"),
            ("by-merge", "merged-spoke-2", servers["spoke-2"], "merged-override")}
        wait_for(lambda: generated(local_fleet) >= predicted, "the predicted Applications", timeout=60)
        assert generated(local_fleet) == predicted
        for cluster, namespace in (("spoke-1", "merged"), ("spoke-2", "merged-override")):
            try:
                wait_for(lambda c=cluster: synced_and_healthy(application(local_fleet, c, "merged")),
                         f"merged-{cluster} Synced/Healthy")
            except AssertionError as err:
                app = application(local_fleet, cluster, "merged")
                appset = dynamic.DynamicClient(local_fleet.api(local_fleet.hub)).resources.get(
                    api_version="argoproj.io/v1alpha1", kind="ApplicationSet").get(name="by-merge", namespace="argocd")
                raise AssertionError(f"{err}: {app.to_dict() if app else 'no Application'}; by-merge's status: "
                                     f"{appset.to_dict().get('status')}") from None
            assert application(local_fleet, cluster, "merged").spec.destination.namespace == namespace
        assert run_playbook(APPLICATIONSETS, INVENTORY, [f"@{vars_file}"]).changed == 0
    finally:
        absent = vars_file.read_text().replace("  - name: probe", "  - state: absent\n    name: probe").replace(
            "  - definition:", "  - state: absent\n    definition:")
        vars_file.write_text(absent)
        assert run_playbook(APPLICATIONSETS, INVENTORY, [f"@{vars_file}"]).rc == 0
        for cluster in local_fleet.spokes:
            for namespace in ("merged", "merged-override"):
                delete_namespace(local_fleet.kubeconfig, cluster, namespace)


VOCABULARY = """\
applicationsets_items:
  - name: tuned
    repo_url: file://{repo}
    revision: main
    path: !unsafe 'web/{{{{.name}}}}'
    selector: {{matchLabels: {{role: spoke}}}}
    cluster_values: {{tier: shared}}
    cluster_overrides: {{spoke-2: {{tier: own}}}}
    destination_namespace: !unsafe 'tuned-{{{{.values.tier}}}}'
  - name: by-elements
    repo_url: file://{repo}
    revision: main
    path: !unsafe 'web/{{{{.name}}}}'
    selector: {{matchLabels: {{region: cn-hangzhou}}}}
    elements: [{{app: alpha}}, {{app: beta}}]
    app_name: !unsafe 'el-{{{{.app}}}}-{{{{.name}}}}'
    destination_namespace: !unsafe 'el-{{{{.app}}}}'
  - name: by-files
    repo_url: file://{repo}
    revision: main
    git_files: [settings/*.json]
    path: !unsafe 'web/{{{{.name}}}}'
    selector: {{matchLabels: {{role: spoke}}}}
    app_name: !unsafe 'file-{{{{.app}}}}-{{{{.name}}}}'
    destination_namespace: !unsafe 'file-{{{{.app}}}}'
  - name: two-sources
    selector: {{matchLabels: {{role: spoke}}}}
    sources:
      - {{repo_url: 'file://{repo}', revision: main, path: !unsafe 'web/{{{{.name}}}}'}}
      - {{repo_url: 'file://{repo}', revision: main, path: shared}}
  - name: charted
    repo_url: file://{repo}
    revision: main
    path: chart
    selector: {{matchLabels: {{role: spoke}}}}
    cluster_values: {{replicas: 1}}
    cluster_overrides: {{spoke-1: {{replicas: 3}}}}
    helm:
      release_name: web
      value_files: [!unsafe 'values-{{{{.name}}}}.yaml']
      values: {{ingress: {{enabled: false}}}}
      parameters: {{replicaCount: !unsafe '{{{{.values.replicas}}}}'}}
"""
VOCABULARY_SETS = ("tuned", "by-elements", "by-files", "two-sources", "charted")
SYNCED = {"tuned": ["tuned-shared", "tuned-own"], "by-elements": ["el-alpha", "el-beta"],
          "by-files": ["file-alpha", "file-beta"], "two-sources": ["two-sources"], "charted": ["charted"]}


def test_each_generator_of_the_roles_vocabulary_generates_what_the_preview_predicted_and_syncs(dr, local_fleet, tmp_path):
    """The role's own keys for each generator, against Argo CD's ApplicationSet controller: Cluster values with
    per-cluster overrides (templates by cluster name), a List x clusters, Git files x clusters (not predicted: its parameters are
    in the repository) and a multi-source Application generate the Applications the preview predicted (and the
    Git files the ones its files say), and all of them sync from the file:// repository; a Helm source's
    fields reach each generated Application rendered for its cluster, and the repo server's helm (built from
    its module, the version Argo CD ships) renders the chart with them: the value file of the cluster, the
    inline values and the parameter from the cluster's values all show in the ConfigMap it deploys."""
    vars_file = tmp_path / "vocabulary.yml"
    vars_file.write_text(VOCABULARY.format(repo=dr["repo"]))
    servers = {c: local_fleet.api(c).configuration.host.rstrip("/") for c in local_fleet.spokes}
    try:
        run = run_playbook(APPLICATIONSETS, INVENTORY, [f"@{vars_file}"])
        assert run.rc == 0, run.stdout
        preview = run.results("Require Argo CD on the hub")["hub"]["ansible_facts"]["__applicationsets_preview"]
        assert preview["unpredicted"] == ["by-files"] and preview["problems"] == []
        predicted = {(a["applicationset"], a["name"], a["server"].rstrip("/"), a["namespace"])
                     for a in preview["applications"]}
        assert predicted == {
            ("tuned", "tuned-spoke-1", servers["spoke-1"], "tuned-shared"),
            ("tuned", "tuned-spoke-2", servers["spoke-2"], "tuned-own"),
            ("by-elements", "el-alpha-spoke-1", servers["spoke-1"], "el-alpha"),
            ("by-elements", "el-beta-spoke-1", servers["spoke-1"], "el-beta"),
            ("two-sources", "two-sources-spoke-1", servers["spoke-1"], "two-sources"),
            ("two-sources", "two-sources-spoke-2", servers["spoke-2"], "two-sources"),
            ("charted", "charted-spoke-1", servers["spoke-1"], "charted"),
            ("charted", "charted-spoke-2", servers["spoke-2"], "charted")}
        from_files = {("by-files", f"file-{app}-{c}", servers[c], f"file-{app}") for app in ("alpha", "beta")
                      for c in ("spoke-1", "spoke-2")}
        wait_for(lambda: generated(local_fleet, VOCABULARY_SETS) >= predicted | from_files,
                 "the predicted Applications", timeout=60)
        assert generated(local_fleet, VOCABULARY_SETS) == predicted | from_files
        for _appset, name, _server, _namespace in sorted(predicted | from_files):
            wait_for(lambda n=name: synced_and_healthy(applications(local_fleet).get(name=n, namespace="argocd")),
                     f"{name} Synced/Healthy")
        core = {c: client.CoreV1Api(local_fleet.api(c)) for c in local_fleet.spokes}
        assert all(core[c].read_namespaced_config_map("shared-settings", "two-sources").data == {"log_level": "info"}
                   for c in local_fleet.spokes)
        for cluster, replicas in (("spoke-1", "3"), ("spoke-2", "1")):
            app = applications(local_fleet).get(name=f"charted-{cluster}", namespace="argocd").to_dict()
            assert app["spec"]["source"]["helm"] == {
                "releaseName": "web", "valueFiles": [f"values-{cluster}.yaml"],
                "valuesObject": {"ingress": {"enabled": False}},
                "parameters": [{"name": "replicaCount", "value": replicas}]}
        settings = {c: core[c].read_namespaced_config_map("web-settings", "charted").data for c in local_fleet.spokes}
        assert settings == {"spoke-1": {"replicas": "3", "site": "hangzhou", "ingress": "false"},
                            "spoke-2": {"replicas": "1", "site": "beijing", "ingress": "false"}}
        assert run_playbook(APPLICATIONSETS, INVENTORY, [f"@{vars_file}"]).changed == 0
    finally:
        vars_file.write_text(vars_file.read_text().replace("  - name: ", "  - state: absent\n    name: "))
        assert run_playbook(APPLICATIONSETS, INVENTORY, [f"@{vars_file}"]).rc == 0
        for cluster in local_fleet.spokes:
            for namespace in (n for namespaces in SYNCED.values() for n in namespaces):
                delete_namespace(local_fleet.kubeconfig, cluster, namespace)


# Argo CD's own check calls a Deployment scaled to zero Healthy; this one calls it Suspended.
ZERO_IS_SUSPENDED = {"group": "apps", "kind": "Deployment", "lua": """\
hs = {status = "Progressing", message = "rolling out"}
if obj.spec.replicas == 0 then
  hs.status = "Suspended"
  hs.message = "scaled to zero"
elseif obj.status ~= nil and obj.status.availableReplicas == obj.spec.replicas then
  hs.status = "Healthy"
  hs.message = ""
end
return hs
"""}
HEALTH_KEY = "resource.customizations.health.apps_Deployment"


def health_of(local_fleet, cluster):
    """web-<cluster>'s health, after asking Argo CD to refresh it (as `argocd app get --refresh` does)."""
    applications(local_fleet).patch(name=f"web-{cluster}", namespace="argocd", content_type="application/merge-patch+json",
                                    body={"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}})
    app = application(local_fleet, cluster)
    return app.status.health.status if app and app.status and app.status.health else None


def argocd_cm(local_fleet):
    return client.CoreV1Api(local_fleet.api(local_fleet.hub)).read_namespaced_config_map("argocd-cm", "argocd").data or {}


def test_a_custom_health_check_changes_application_health_as_its_lua_says(dr, local_fleet):
    """argocd_hub writes the check into argocd-cm, and Argo CD's application controller (a real process against
    the hub) judges web's Deployments by its Lua: the standby, scaled to zero, turns Suspended while the primary
    stays Healthy. A check whose Lua does not parse is refused before argocd-cm changes; removing the check
    gives back Argo CD's own judgment."""
    for cluster in local_fleet.spokes:
        wait_for(lambda c=cluster: synced_and_healthy(application(local_fleet, c)), f"web-{cluster} Synced/Healthy")

    def hub_run(checks):
        return run_playbook(SITE, INVENTORY, [dr["vars"], {"argocd_hub_health_checks": checks}], tags="argocd_hub")

    run = hub_run([ZERO_IS_SUSPENDED])
    assert run.rc == 0 and run.changed >= 1, run.stdout
    assert argocd_cm(local_fleet)[HEALTH_KEY] == ZERO_IS_SUSPENDED["lua"]
    wait_for(lambda: health_of(local_fleet, "spoke-2") == "Suspended", "web-spoke-2 Suspended by the Lua check")
    assert health_of(local_fleet, "spoke-1") == "Healthy"
    again = hub_run([ZERO_IS_SUSPENDED])
    assert again.rc == 0 and again.changed == 0, again.stdout

    broken = hub_run([dict(ZERO_IS_SUSPENDED, lua="hs = {status = 'Healthy'\nreturn hs")])
    assert broken.rc != 0 and broken.changed == 0, broken.stdout
    assert "health_checks[0] (apps/Deployment): the Lua does not parse: line 2:0" in broken.stdout
    assert argocd_cm(local_fleet)[HEALTH_KEY] == ZERO_IS_SUSPENDED["lua"]

    removed = hub_run([])
    assert removed.rc == 0, removed.stdout
    assert HEALTH_KEY not in argocd_cm(local_fleet)
    wait_for(lambda: health_of(local_fleet, "spoke-2") == "Healthy", "web-spoke-2 Healthy by Argo CD's own check")


def test_direct_mode_without_argocd(local_fleet, tmp_path):
    """An application no Argo CD manages is scaled directly; the primary is scaled to zero when it is back."""
    install_crds(local_fleet.api(local_fleet.hub), [upstream.fetch("external-dns") / "crds/dnsendpoints.externaldns.k8s.io.yaml"])
    for cluster, replicas in (("spoke-1", 2), ("spoke-2", 0)):
        delete_namespace(local_fleet.kubeconfig, cluster, "api")
        local_fleet.core(cluster).create_namespace({"metadata": {"name": "api"}})
        client.AppsV1Api(local_fleet.api(cluster)).create_namespaced_deployment("api", {
            "metadata": {"name": "api"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "api"}}, "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "api", "image": "docker.io/library/nginx:1.27"}]}}}})
    catalog = {"failover_applications": ["api"], "failover_catalog": {"api": {
        "primary": "spoke-1", "standby": "spoke-2", "replicas": 2, "mode": "direct",
        "dns": {"name": "api.example.test", "cluster": "hub", "targets": TARGETS}}}}
    try:
        fleet.stop("spoke-1")
        try:
            over = run_playbook(FAILOVER, INVENTORY, dict(catalog, failover_confirm="spoke-2"))
            assert over.rc == 0, over.stdout
            assert "spoke-1 did not answer: scale api to zero there when it is back" in over.stdout
            assert available(local_fleet, "spoke-2", "api") == (2, 2)
            again = run_playbook(FAILOVER, INVENTORY, dict(catalog, failover_confirm="spoke-2"))
            assert again.rc == 0 and again.changed == 0, again.stdout
        finally:
            fleet.start("spoke-1")
        back = run_playbook(FAILBACK, INVENTORY, dict(catalog, failover_confirm="spoke-1"))
        assert back.rc == 0, back.stdout
        assert available(local_fleet, "spoke-1", "api") == (2, 2)
        assert available(local_fleet, "spoke-2", "api")[0] == 0
        assert dns_targets(local_fleet, "api") == TARGETS["spoke-1"]
    finally:
        for cluster in local_fleet.spokes:
            delete_namespace(local_fleet.kubeconfig, cluster, "api")
