"""Fleet governance against a real Gatekeeper: playbooks/governance.yml with the example inventory's group_vars
(inventories/examples/governance) over a production spoke (deny, strict quotas) and a dev spoke (warn, loose
quotas), each with Gatekeeper's manager built from its Go module running beside it (localfleet/gatekeeper.py),
its webhook called by the spoke's kube-apiserver and its audit writing each Constraint's status.

Pods run nowhere (KWOK nodes), so what is proven is admission and audit, which is all Gatekeeper and
ResourceQuota decide: the API server refuses or admits, the ReplicaSet controller is refused by the quota.
"""

import json
import shutil
import time

import pytest
import yaml
from kubernetes import client

from helpers import ROOT, delete_namespace, run_playbook, wait_for
from localfleet import config, fleet
from localfleet.gatekeeper import Gatekeeper

pytestmark = pytest.mark.builds("gatekeeper")

GOVERNANCE = ROOT / "playbooks/governance.yml"
REPORT = ROOT / "playbooks/compliance_report.yml"
EXAMPLE = ROOT / "inventories/examples/governance"
PROD, DEV = "spoke-1", "spoke-2"
HOST_PATH_POD = {"apiVersion": "v1", "kind": "Pod",
                 "spec": {"containers": [{"name": "app", "image": "registry.example.com/app:1"}],
                          "volumes": [{"name": "host", "hostPath": {"path": "/etc"}}]}}


def pod(name, namespace):
    return dict(HOST_PATH_POD, metadata={"name": name, "namespace": namespace})


@pytest.fixture(name="inventory", scope="module")
def fixture_inventory(local_fleet, tmp_path_factory):
    """The example inventory over this fleet: spoke-1 production, spoke-2 dev, the hub without Gatekeeper."""
    for spoke in (PROD, DEV):  # whatever an interrupted run left
        Gatekeeper(config.load_spec(spoke)).stop()
        remove_gatekeeper(local_fleet, spoke)
    fleet.up(len(local_fleet.spokes), gatekeeper=(PROD, DEV))
    inventory = tmp_path_factory.mktemp("governance")
    source = yaml.safe_load((EXAMPLE / "fleet.clusters.yml").read_text())
    source["sources"][0].update(path=str(local_fleet.kubeconfig), context_labels={
        "hub": {"role": "hub"}, PROD: {"environment": "production"}, DEV: {"environment": "dev"}})
    (inventory / "fleet.clusters.yml").write_text(yaml.safe_dump(source))
    (inventory / "group_vars/all").mkdir(parents=True)
    for name in ("env_production.yml", "env_dev.yml"):
        shutil.copy(EXAMPLE / "group_vars" / name, inventory / "group_vars" / name)
    shutil.copy(EXAMPLE / "group_vars/all.yml", inventory / "group_vars/all/policies.yml")
    local = (ROOT / "inventories/local/group_vars/all.yml").read_text()
    (inventory / "group_vars/all/local.yml").write_text(
        local.replace("{{ (inventory_dir ~ '/../../.fleet') | ansible.builtin.realpath }}", str(config.FLEET_DIR)))
    (inventory / "host_vars").mkdir()
    (inventory / "host_vars/hub.yml").write_text("gatekeeper_install: false\n")
    for spoke in (PROD, DEV):
        core = local_fleet.core(spoke)
        for namespace, labels in (("team-a", {"tenant": "true", "team": "a"}), ("legacy", {})):
            delete_namespace(local_fleet.kubeconfig, spoke, namespace)
            core.create_namespace({"metadata": {"name": namespace, "labels": labels}})
    # A violation from before the policies: audit, not admission, must find it.
    local_fleet.core(PROD).create_namespaced_pod("legacy", pod("old-debug", "legacy"))
    yield inventory
    for spoke in (PROD, DEV):
        remove_gatekeeper(local_fleet, spoke)
        for namespace in ("team-a", "legacy"):
            delete_namespace(local_fleet.kubeconfig, spoke, namespace)
        Gatekeeper(config.load_spec(spoke)).stop()


def remove_gatekeeper(local_fleet, spoke):
    """Webhooks first (a namespace change needs the webhook while they exist), then templates, CRDs, namespace."""
    api = local_fleet.api(spoke)
    admission = client.AdmissionregistrationV1Api(api)
    for delete in (admission.delete_validating_webhook_configuration, admission.delete_mutating_webhook_configuration):
        for name in ("gatekeeper-validating-webhook-configuration", "gatekeeper-mutating-webhook-configuration"):
            try:
                delete(name)
            except client.ApiException as err:
                if err.status != 404:
                    raise
    extensions = client.ApiextensionsV1Api(api)
    for crd in extensions.list_custom_resource_definition().items:
        if crd.spec.group.endswith("gatekeeper.sh"):
            extensions.delete_custom_resource_definition(crd.metadata.name)
    delete_namespace(local_fleet.kubeconfig, spoke, "gatekeeper-system")


def constraints(local_fleet, spoke):
    """{Kind/name: Constraint dict} on a spoke, from fresh discovery (kinds come and go with templates)."""
    api = local_fleet.api(spoke)
    try:
        response = api.call_api("/apis/constraints.gatekeeper.sh/v1beta1", "GET", auth_settings=["BearerToken"],
                                _preload_content=False)
        resources = json.loads((response[0] if isinstance(response, tuple) else response).data)["resources"]
    except client.ApiException as err:
        if err.status == 404:
            return {}
        raise
    found, custom = {}, client.CustomObjectsApi(api)
    for resource in resources:
        if "/" not in resource["name"]:
            for item in custom.list_cluster_custom_object("constraints.gatekeeper.sh", "v1beta1",
                                                          resource["name"])["items"]:
                found[f"{item['kind']}/{item['metadata']['name']}"] = item
    return found


def templates(local_fleet, spoke):
    """Names of the ConstraintTemplates on a spoke."""
    items = client.CustomObjectsApi(local_fleet.api(spoke)).list_cluster_custom_object(
        "templates.gatekeeper.sh", "v1", "constrainttemplates")["items"]
    return {item["metadata"]["name"] for item in items}


def create_pod(local_fleet, spoke, body):
    """(HTTP status, warnings) of creating a Pod, read raw so the API server's Warning headers are kept."""
    api = local_fleet.api(spoke)
    try:
        _data, status, headers = client.CoreV1Api(api).create_namespaced_pod_with_http_info(
            body["metadata"]["namespace"], body, _return_http_data_only=False)
    except client.ApiException as err:
        return err.status, json.loads(err.body)["message"]
    return status, headers.get("Warning", "")


def converge(inventory, **kwargs):
    run = run_playbook(GOVERNANCE, inventory, **kwargs)
    assert run.rc == 0, run.why()
    return run


def test_policies_quotas_and_report_per_group(local_fleet, inventory):
    check = run_playbook(GOVERNANCE, inventory, check=True)
    assert check.rc == 0, check.why()
    assert not constraints(local_fleet, PROD)  # check mode applied nothing

    first = converge(inventory)
    assert first.stats[PROD]["changed"] > 0 and first.stats[DEV]["changed"] > 0
    again = converge(inventory)
    assert again.changed == 0, again.stats

    prod, dev = constraints(local_fleet, PROD), constraints(local_fleet, DEV)
    assert prod["K8sDisallowHostPath/no-host-path"]["spec"]["enforcementAction"] == "deny"
    assert dev["K8sDisallowHostPath/no-host-path"]["spec"]["enforcementAction"] == "warn"
    assert "K8sAllowedRepos/company-registry" in prod and "K8sAllowedRepos/company-registry" not in dev

    # Admission: production refuses with the template's message, dev admits with a warning.
    status, message = create_pod(local_fleet, PROD, pod("debug", "team-a"))
    assert status == 403 and "[no-host-path] hostPath volume host (/etc) is not allowed" in message, message
    status, warning = create_pod(local_fleet, DEV, pod("debug", "team-a"))
    assert status == 201 and "hostPath volume host (/etc) is not allowed" in warning, warning

    # Audit: the Pod from before the policies is in the report with its cluster and name.
    deadline = time.monotonic() + 90
    while not prod["K8sDisallowHostPath/no-host-path"].get("status", {}).get("totalViolations"):
        assert time.monotonic() < deadline, "Gatekeeper's audit did not report the legacy Pod"
        time.sleep(2)
        prod = constraints(local_fleet, PROD)
    report = run_playbook(REPORT, inventory, extra_vars={"compliance_fail_on_violations": True})
    assert report.rc != 0, report.why()  # the gate: violations fail the run
    data = next(iter(report.results("Read every Constraint's audit results of every cluster at once").values()))
    rows = {(r["cluster"], r["constraint"]): r for r in data["rows"]}
    row = rows[(PROD, "K8sDisallowHostPath/no-host-path")]
    assert row["enforcement_action"] == "deny" and "legacy/old-debug" in row["objects"], row
    assert rows[(DEV, "K8sDisallowHostPath/no-host-path")]["enforcement_action"] == "warn"
    assert PROD in data["violating_clusters"]
    assert any(PROD in line and "legacy/old-debug" in line for line in data["table"]), data["table"]

    # Quotas: 3 replicas of 1.5 CPU exceed production's requests.cpu of 4, not dev's 16.
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big", "namespace": "team-a"},
                  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "big"}},
                           "template": {"metadata": {"labels": {"app": "big"}}, "spec": {"containers": [{
                               "name": "app", "image": "registry.example.com/app:1",
                               "resources": {"requests": {"cpu": "1500m"}, "limits": {"cpu": "1500m"}}}]}}}}
    for spoke in (PROD, DEV):
        local_fleet.apps(spoke).create_namespaced_deployment("team-a", deployment)
    deadline = time.monotonic() + 60
    while True:
        pods = {spoke: len(local_fleet.core(spoke).list_namespaced_pod("team-a", label_selector="app=big").items)
                for spoke in (PROD, DEV)}
        refused = [event.message for event in local_fleet.core(PROD).list_namespaced_event("team-a").items
                   if "exceeded quota" in (event.message or "")]
        if pods[DEV] == 3 and pods[PROD] == 2 and refused:
            break
        assert time.monotonic() < deadline, (pods, refused)
        time.sleep(1)


def test_a_policy_removed_from_a_group_leaves_only_its_clusters(local_fleet, inventory):
    converge(inventory)
    production = inventory / "group_vars/env_production.yml"
    settings = yaml.safe_load(production.read_text())
    settings["gatekeeper_policies"] = [p for p in settings["gatekeeper_policies"] if p["name"] != "no-privileged"]
    production.write_text(yaml.safe_dump(settings))
    check = run_playbook(GOVERNANCE, inventory, check=True, diff=True)
    assert check.rc == 0 and check.stats[PROD]["changed"] > 0 and check.stats[DEV]["changed"] == 0, check.stats
    assert "K8sDisallowPrivileged/no-privileged" in constraints(local_fleet, PROD)
    removed = converge(inventory)
    assert removed.stats[DEV]["changed"] == 0, removed.why()
    assert "K8sDisallowPrivileged/no-privileged" not in constraints(local_fleet, PROD)
    assert "K8sDisallowPrivileged/no-privileged" in constraints(local_fleet, DEV)
    assert "k8sdisallowprivileged" not in templates(local_fleet, PROD)
    assert converge(inventory).changed == 0


def user_template(name, rego_body):
    kind = "K8s" + name[3:].capitalize()
    return {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": {"name": name},
            "spec": {"crd": {"spec": {"names": {"kind": kind}}},
                     "targets": [{"target": "admission.k8s.gatekeeper.sh",
                                  "rego": f"package {name}\n\nviolation[{{\"msg\": msg}}] {{\n{rego_body}\n}}\n"}]}}


BROKEN = "  msg := "
VALID = '  input.review.object.metadata.name == "forbidden"\n  msg := "forbidden name"'


def test_a_template_that_does_not_compile_fails_before_its_constraint(local_fleet, inventory):
    policies = yaml.safe_load((inventory / "group_vars/env_production.yml").read_text())["gatekeeper_policies"]

    def run_with(template):
        return run_playbook(GOVERNANCE, inventory, limit=PROD, extra_vars={
            "gatekeeper_templates": [template],
            "gatekeeper_policies": [*policies, {"name": "custom", "template": template["metadata"]["name"]}]})

    run = run_with(user_template("k8sbroken", BROKEN))
    assert run.rc != 0 and run.stats[PROD]["failures"] == 1, run.why()
    assert "ConstraintTemplate k8sbroken was refused by Gatekeeper" in run.stdout and "rego_parse_error" in run.stdout
    assert not any(name.startswith("K8sBroken/") for name in constraints(local_fleet, PROD))

    # A template that compiled once keeps status.created when a new Rego does not: the role reads the
    # errors Gatekeeper reports for the template's current generation.
    assert run_with(user_template("k8sfixable", VALID)).rc == 0
    assert "K8sFixable/custom" in constraints(local_fleet, PROD)
    run = run_with(user_template("k8sfixable", BROKEN))
    assert run.rc != 0 and "ConstraintTemplate k8sfixable was refused by Gatekeeper" in run.stdout, run.why()

    converge(inventory)  # the next run without them removes the templates the role made
    assert not {"k8sbroken", "k8sfixable"} & templates(local_fleet, PROD)


def test_an_error_gatekeeper_retries_does_not_refuse_a_template(local_fleet, inventory):
    """Upstream runs three replicas that each create a template's Constraint CRD: those that lose the race
    report "Could not create CRD: ... already exists" for the template's generation until their retry succeeds
    (as one replica does when its cache lags its own create). The second replica here is its status object,
    read by the real Gatekeeper's status controller as any replica's; the role waits such errors out."""
    policies = yaml.safe_load((inventory / "group_vars/env_production.yml").read_text())["gatekeeper_policies"]
    extra = {"gatekeeper_templates": [user_template("k8sraced", VALID)],
             "gatekeeper_policies": [*policies, {"name": "custom", "template": "k8sraced"}]}
    assert run_playbook(GOVERNANCE, inventory, limit=PROD, extra_vars=extra).rc == 0
    custom = client.CustomObjectsApi(local_fleet.api(PROD))
    template = custom.get_cluster_custom_object("templates.gatekeeper.sh", "v1", "constrainttemplates", "k8sraced")
    replica = {"apiVersion": "status.gatekeeper.sh/v1beta1", "kind": "ConstraintTemplatePodStatus",
               "metadata": {"name": "gatekeeper--replica--2-k8sraced", "namespace": "gatekeeper-system",
                            "labels": {"internal.gatekeeper.sh/constrainttemplate-name": "k8sraced",
                                       "internal.gatekeeper.sh/pod": "gatekeeper-replica-2"}},
               "status": {"id": "gatekeeper-replica-2", "templateUID": template["metadata"]["uid"],
                          "operations": ["generate"], "observedGeneration": template["metadata"]["generation"],
                          "errors": [{"code": "create_error", "message": 'Could not create CRD: customresource'
                                      'definitions.apiextensions.k8s.io "k8sraced.constraints.gatekeeper.sh" '
                                      "already exists"}]}}
    custom.create_namespaced_custom_object("status.gatekeeper.sh", "v1beta1", "gatekeeper-system",
                                           "constrainttemplatepodstatuses", replica)
    try:
        wait_for(lambda: len(custom.get_cluster_custom_object(
            "templates.gatekeeper.sh", "v1", "constrainttemplates", "k8sraced")["status"].get("byPod", [])) == 2,
            "Gatekeeper's status controller to report both replicas", timeout=60)
        run = run_playbook(GOVERNANCE, inventory, limit=PROD, extra_vars=extra)
        assert run.rc == 0 and run.stats[PROD]["changed"] == 0, run.why()
    finally:
        custom.delete_namespaced_custom_object("status.gatekeeper.sh", "v1beta1", "gatekeeper-system",
                                               "constrainttemplatepodstatuses", replica["metadata"]["name"])
    converge(inventory)
    assert "k8sraced" not in templates(local_fleet, PROD)


def test_a_cluster_without_gatekeeper_fails_alone(local_fleet, inventory):
    converge(inventory)
    run = run_playbook(GOVERNANCE, inventory, extra_vars={"hubspoke_spokes": "all"})
    assert run.stats["hub"]["failures"] == 1, run.why()
    assert "Gatekeeper is not installed on hub" in run.stdout, run.why()
    assert all(run.stats[s]["failures"] == 0 and run.stats[s]["changed"] == 0 for s in (PROD, DEV)), run.stats


def test_check_mode_of_a_first_install_changes_nothing(local_fleet, inventory):
    run = run_playbook(GOVERNANCE, inventory, check=True, limit="hub", extra_vars={
        "hubspoke_spokes": "all", "gatekeeper_install": True, "gatekeeper_webhook_external": {}})
    assert run.rc == 0 and run.stats["hub"]["changed"] > 0, run.why()
    assert "gatekeeper-system" not in {n.metadata.name for n in local_fleet.core("hub").list_namespace().items}


def test_gatekeeper_state_absent_removes_it_webhooks_first(local_fleet, inventory):
    """Last: it removes Gatekeeper from both spokes."""
    playbook = inventory / "remove_gatekeeper.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "role_spoke", "gather_facts": False,
        "roles": [{"role": "hubspoke.multicluster.gatekeeper", "vars": {"gatekeeper_state": "absent"}}]}]))
    removed = run_playbook(playbook, inventory)
    assert removed.rc == 0 and removed.stats[PROD]["changed"] > 0, removed.why()
    for spoke in (PROD, DEV):
        names = {crd.metadata.name for crd in
                 client.ApiextensionsV1Api(local_fleet.api(spoke)).list_custom_resource_definition().items}
        assert not [name for name in names if name.endswith("gatekeeper.sh")], names
        hooks = client.AdmissionregistrationV1Api(local_fleet.api(spoke)).list_validating_webhook_configuration()
        assert not [h for h in hooks.items if h.metadata.name.startswith("gatekeeper-")]
        namespaces = {n.metadata.name for n in local_fleet.core(spoke).list_namespace().items}
        assert "gatekeeper-system" not in namespaces
    again = run_playbook(playbook, inventory)
    assert again.rc == 0 and again.changed == 0, again.stats
