"""The collection the way AWX runs it, against the local fleet, without an AWX server (none runs here).

- AWX's credentials become environment variables of every job: its Kubernetes credential injects the hub's
  K8S_AUTH_HOST and K8S_AUTH_API_KEY, which kubernetes.core prefers over any kubeconfig. With them present, every
  task of every cluster, this collection's and kubernetes.core's, must still reach its own cluster.
- An inventory update is `ansible-inventory -i <source> --list --export` with the inventory source's credential
  injected (the collection's credential type, extensions/awx/hub_credential_type.yml); its JSON must have the
  shape AWX's importer accepts (awx/main/utils/mem_inventory.py dict_to_mem_data, and the host-name rules of
  awx/main/management/commands/inventory_import.py).
- A job is ansible-runner over a private data dir laid out as AWX lays it: project/ (this repository, with its
  collections/requirements.yml installed as a project sync installs it), inventory/hosts (a script printing the
  imported inventory), env/envvars (the credential injectors), env/extravars (survey answers). Job slicing runs
  the same job over slices of the host list.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import ansible_runner
import pytest
import yaml
from kubernetes import client

from helpers import (INVENTORY, ROOT, argocd_cluster_secrets, as_argocd, delete_namespace, kube_system_uid, run_playbook,
                     unwrap)
from localfleet import config

SITE = ROOT / "playbooks/site.yml"
DEREGISTER = ROOT / "playbooks/deregister.yml"
WHOAMI = ROOT / "tests/integration/playbooks/whoami.yml"
READER, JOBS = "awx-inventory", "awx-jobs"
# AWX host names: a single ':' reads as host:port, and Jinja is refused (inventory_import.py, Host.clean_name).
BAD_HOST_NAME = re.compile(r"^[^:]*:[^:]*$|\{\{|\{%")


def awx_accepts(data):
    """The checks AWX's importer makes of `ansible-inventory --list --export` output; returns the problems."""
    problems = []
    if not isinstance(data, dict):
        return ["the output is not a JSON object"]
    hostvars = (data.get("_meta") or {}).get("hostvars", {})
    if not isinstance(hostvars, dict) or not all(isinstance(v, dict) for v in hostvars.values()):
        problems.append("_meta.hostvars must map every host to a dict")
    for group, value in data.items():
        if group == "_meta":
            continue
        if not isinstance(value, dict):
            problems.append(f"group {group} is not a dict")
            continue
        if not isinstance(value.get("hosts", []), (list, dict)) or not isinstance(value.get("children", []), list):
            problems.append(f"group {group}: hosts must be a list and children a list")
        if not isinstance(value.get("vars", {}), dict):
            problems.append(f"group {group}: vars must be a dict")
        for child in value.get("children", []):
            if child not in data and child != "ungrouped":
                problems.append(f"group {group} names a child group {child} that is not in the output")
    for host in hostvars:
        if BAD_HOST_NAME.search(host):
            problems.append(f"host name {host!r} would not import")
    return problems


def service_account_token(local_fleet, name, rules, cluster_rules):
    """A ServiceAccount in argocd on the hub with these Role and ClusterRole rules, and its token."""
    core = local_fleet.core(local_fleet.hub)
    rbac = client.RbacAuthorizationV1Api(local_fleet.api(local_fleet.hub))
    subject = [{"kind": "ServiceAccount", "name": name, "namespace": "argocd"}]
    core.create_namespaced_service_account("argocd", {"metadata": {"name": name}})
    if rules:
        rbac.create_namespaced_role("argocd", {"metadata": {"name": name}, "rules": rules})
        rbac.create_namespaced_role_binding("argocd", {"metadata": {"name": name}, "subjects": subject,
                                                       "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                                   "kind": "Role", "name": name}})
    rbac.create_cluster_role({"metadata": {"name": name}, "rules": cluster_rules})
    rbac.create_cluster_role_binding({"metadata": {"name": name}, "subjects": subject,
                                      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                  "name": name}})
    core.create_namespaced_secret("argocd", {"metadata": {"name": name, "annotations": {
        "kubernetes.io/service-account.name": name}}, "type": "kubernetes.io/service-account-token"})
    for _attempt in range(100):
        token = (core.read_namespaced_secret(name, "argocd").data or {}).get("token")
        if token:
            return base64.b64decode(token).decode()
        time.sleep(0.1)
    raise AssertionError(f"no token for ServiceAccount {name}")


def credential(server, token, ca, prefix):
    """The variables AWX injects for a credential: the collection's type (HUBSPOKE_HUB_*, its CA written to a file
    by the file injector) or AWX's Kubernetes bearer token credential (K8S_AUTH_*)."""
    if prefix == "HUBSPOKE_HUB":
        return {"HUBSPOKE_HUB_HOST": server, "HUBSPOKE_HUB_API_KEY": token, "HUBSPOKE_HUB_CA_CERT": str(ca),
                "HUBSPOKE_HUB_VERIFY_SSL": "True"}
    return {"K8S_AUTH_HOST": server, "K8S_AUTH_API_KEY": token, "K8S_AUTH_SSL_CA_CERT": str(ca),
            "K8S_AUTH_VERIFY_SSL": "True"}


@pytest.fixture(name="awx_hub", scope="module")
def fixture_awx_hub(local_fleet, tmp_path_factory):
    """Argo CD on the hub with the spokes registered (what an AWX inventory reads), and two hub credentials as the
    README tells users to make them: the inventory source's token reads Argo CD's Secrets (and namespaces, so a
    task it misroutes would succeed and read the hub's kube-system); the job templates' token may change the hub."""
    assert run_playbook(SITE, INVENTORY).rc == 0
    reader = service_account_token(local_fleet, READER, [{"apiGroups": [""], "resources": ["secrets"],
                                                          "verbs": ["get", "list"]}],
                                   [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list"]}])
    jobs = service_account_token(local_fleet, JOBS, [], [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                                                         {"nonResourceURLs": ["*"], "verbs": ["*"]}])
    ca = tmp_path_factory.mktemp("awx-credential") / "hub-ca.crt"
    shutil.copyfile(config.CLUSTERS_DIR / "hub" / "pki" / "ca.crt", ca)
    server = local_fleet.api(local_fleet.hub).configuration.host
    yield {"tokens": [reader, jobs],
           "inventory_credential": credential(server, reader, ca, "HUBSPOKE_HUB"),
           "job_credential": credential(server, jobs, ca, "HUBSPOKE_HUB"),
           "kubernetes_credential": credential(server, reader, ca, "K8S_AUTH")}
    rbac = client.RbacAuthorizationV1Api(local_fleet.api(local_fleet.hub))
    for name in (READER, JOBS):
        rbac.delete_cluster_role_binding(name)
        rbac.delete_cluster_role(name)
    run_playbook(DEREGISTER, INVENTORY)
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "argocd")


def uids_seen(run):
    """{host: (kube-system UID read by kubernetes.core.k8s_info, cluster_id read by cluster_status)}."""
    k8s = run.results("Read the cluster's kube-system Namespace")
    ours = run.results("Probe the cluster with this collection's module")
    return {host: (k8s[host]["resources"][0]["metadata"]["uid"], ours[host]["cluster_id"]) for host in k8s}


def test_the_hub_credential_in_the_environment_reaches_no_spoke_task(awx_hub, local_fleet):
    truth = {c: kube_system_uid(local_fleet.kubeconfig, c) for c in local_fleet.contexts}
    run = run_playbook(WHOAMI, INVENTORY, env=awx_hub["kubernetes_credential"])
    assert run.rc == 0, run.stdout
    assert uids_seen(run) == {c: (uid, uid) for c, uid in truth.items()}
    # What the cluster connection prevents: with the plain local connection, kubernetes.core follows the
    # hub's K8S_AUTH_HOST and K8S_AUTH_API_KEY, and every spoke's task reads the hub.
    plain = run_playbook(WHOAMI, INVENTORY, {"ansible_connection": "local"}, env=awx_hub["kubernetes_credential"])
    assert {host: seen[0] for host, seen in uids_seen(plain).items()} == {c: truth["hub"] for c in truth}


def inventory_update(tmp_path, awx_hub):
    """What AWX runs for an inventory update of inventories/awx.clusters.yml, with the hub credential injected."""
    source = tmp_path / "project" / "awx.clusters.yml"
    source.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "inventories/awx.clusters.yml", source)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("K8S_AUTH_", "KUBECONFIG"))}
    proc = subprocess.run(["ansible-inventory", "-i", str(source), "--list", "--export"], cwd=source.parent,
                          env={**env, **awx_hub["inventory_credential"]}, capture_output=True, text=True, check=True)
    return proc.stdout, json.loads(proc.stdout)


def test_inventory_update_as_awx_runs_it(awx_hub, local_fleet, tmp_path):
    raw, data = inventory_update(tmp_path, awx_hub)
    assert awx_accepts(data) == []
    assert data["role_hub"]["hosts"] == ["hub"]
    assert set(data["role_spoke"]["hosts"]) == set(local_fleet.spokes)
    assert "spoke-1" in data["region_cn_hangzhou"]["hosts"] and "spoke-2" in data["region_cn_shanghai"]["hosts"]
    assert unwrap(data["_meta"]["hostvars"]["spoke-1"]["ansible_connection"]) == "hubspoke.multicluster.cluster"
    spoke_tokens = [as_argocd(s)[1]["config"]["bearerToken"] for s in local_fleet.argocd_secrets().values()]
    for secret in [*awx_hub["tokens"], *spoke_tokens]:
        assert secret not in raw


@pytest.fixture(name="awx_job", scope="module")
def fixture_awx_job(awx_hub, tmp_path_factory):
    """A job template's private data dir maker, as AWX lays one out for a job."""
    base = tmp_path_factory.mktemp("awx")
    _raw, inventory = inventory_update(base, awx_hub)
    project = base / "project"
    tracked = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, tracked):
        target = project / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name.decode()).is_file():
            shutil.copy2(ROOT / name.decode(), target)
    # A project sync installs collections/requirements.yml into the job's collections path; kubernetes.core and
    # awx.awx are already in the execution environment (here, the virtualenv's ansible package).
    collections = base / "requirements_collections"
    site_packages = Path(sys.executable).parent.parent / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    subprocess.run(["ansible-galaxy", "collection", "install", "-r", "collections/requirements.yml", "-p", str(collections)],
                   cwd=project, check=True, capture_output=True, env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections)})
    survey = {"argocd_hub_version": config.VERSIONS["ARGOCD_VERSION"],
              "argocd_hub_manifests": str(config.FLEET_DIR / "upstream/argo-cd" / config.VERSIONS["ARGOCD_VERSION"]),
              "argocd_cluster_annotations": {"team": "platform"},
              "applicationsets_items": [{"name": "awx-routed", "repo_url": "https://git.example.com/fleet/apps.git",
                                         "path": "apps", "selector": {"matchLabels": {"role": "spoke"}}}]}

    def job(name, playbook, hosts=None, extravars=None, cmdline=None):
        pdd = base / name
        (pdd / "env").mkdir(parents=True)
        (pdd / "inventory").mkdir()
        (pdd / "project").symlink_to(project)
        sliced = json.loads(json.dumps(inventory))
        if hosts is not None:  # a slice: only its hosts, every group kept (AWX's get_sliced_hosts)
            sliced["_meta"]["hostvars"] = {h: v for h, v in sliced["_meta"]["hostvars"].items() if h in hosts}
            for group, value in sliced.items():
                if group != "_meta" and "hosts" in value:
                    value["hosts"] = [h for h in value["hosts"] if h in hosts]
        script = pdd / "inventory" / "hosts"
        script.write_text("#!{0}\nimport sys\nsys.stdout.write({1!r} if '--list' in sys.argv else '{{}}')\n".format(
            sys.executable, json.dumps(sliced)))
        script.chmod(0o755)
        envvars = {**awx_hub["job_credential"], **awx_hub["kubernetes_credential"],
                   "ANSIBLE_COLLECTIONS_PATH": f"{collections}:{site_packages}", "ANSIBLE_FORCE_COLOR": "false"}
        (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
        (pdd / "env" / "extravars").write_text(yaml.safe_dump({**survey, **(extravars or {})}))
        return ansible_runner.run(private_data_dir=str(pdd), playbook=playbook, cmdline=cmdline, quiet=True,
                                  envvars={k: v for k, v in os.environ.items() if k == "PATH"})
    return job


def changed_hosts(runner):
    return {host for host, count in (runner.stats or {}).get("changed", {}).items() if count}


def task_names(runner):
    return {e["event_data"].get("task", "") for e in runner.events if e.get("event") == "runner_on_ok"}


def test_job_template_site_then_nothing_then_one_tag(awx_job, local_fleet):
    first = awx_job("site", "playbooks/site.yml")
    assert first.rc == 0, first.stdout.read()
    assert changed_hosts(first) >= set(local_fleet.spokes)
    for secret in local_fleet.argocd_secrets().values():
        assert secret.metadata.annotations["team"] == "platform"
        api, _cluster = as_argocd(secret)
        assert client.CoreV1Api(api).read_namespace("kube-system")
    again = awx_job("site-again", "playbooks/site.yml")
    assert again.rc == 0 and not changed_hosts(again), again.stats
    tagged = awx_job("site-tags", "playbooks/site.yml", cmdline="--tags applicationsets")
    assert tagged.rc == 0
    ran = task_names(tagged)
    assert any(name.startswith("Read the Applications") for name in ran)
    assert not [name for name in ran if "Register the spoke" in name or "Argo CD manifests" in name], ran


def test_two_job_slices_equal_one_unsliced_run(awx_job, local_fleet):
    hosts = sorted(["hub", *local_fleet.spokes])
    slices = [hosts[0::2], hosts[1::2]]
    assert "hub" not in slices[1]  # a slice without the hub still registers its spokes
    label = {"argocd_cluster_annotations": {"team": "sliced"}}
    runs = [awx_job(f"slice-{i}", "playbooks/register_spokes.yml", hosts=part, extravars=label)
            for i, part in enumerate(slices)]
    for part, run in zip(slices, runs):
        assert run.rc == 0, run.stdout.read()
        assert set((run.stats or {}).get("ok", {})) <= set(part)
        assert changed_hosts(run) == set(part) - {"hub"}
    assert {s.metadata.annotations["team"] for s in argocd_cluster_secrets(local_fleet.kubeconfig, local_fleet.hub).values()} == {"sliced"}
    whole = awx_job("unsliced", "playbooks/register_spokes.yml", extravars=label)
    assert whole.rc == 0 and not changed_hosts(whole)
