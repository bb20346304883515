"""Bad input, case by case, on the local fleet: each case is run the way a user would (a playbook of the
collection, an inventory), and each must give a clear message naming what is wrong, change nothing on any
cluster (every object's resourceVersion or generation, on the hub, the spokes and Karmada, before and after),
and let the other spokes of the same play converge (spoke-2 is converged first, so converging is changed=0).
"""

import base64
import json
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from kubernetes import client, dynamic

import upstream
from helpers import INVENTORY, ROOT, as_argocd, delete_namespace, fleet_api, install_crds, run_playbook, start_playbook
from localfleet import config, fleet, process
from localfleet.cluster import LocalCluster
from localfleet.demo_app import TARGETS

pytestmark = pytest.mark.builds("karmada")

REGISTER = ROOT / "playbooks/register_spokes.yml"
JOIN = ROOT / "playbooks/karmada_join.yml"
POLICIES = ROOT / "playbooks/karmada_policies.yml"
PREFLIGHT = ROOT / "playbooks/network_preflight.yml"
FAILOVER = ROOT / "playbooks/failover.yml"
APPSETS = ROOT / "tests/integration/playbooks/applicationsets.yml"
WHOAMI = ROOT / "tests/integration/playbooks/whoami.yml"
WEB = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}]
CATALOG = {"failover_catalog": {"api": {
    "primary": "spoke-1", "standby": "spoke-2", "replicas": 2, "mode": "direct",
    "dns": {"name": "api.example.test", "cluster": "hub", "targets": TARGETS}}}}
APPSET = {"name": "x", "repo_url": "https://git.example.com/x.git", "path": "x"}
PWNED = Path("/tmp/hubspoke-bad-input-exec-ran")
# Kinds compared before and after each case, with the field that moves only when the object is changed
# (status updates bump resourceVersion but not generation).
WATCHED = [("v1", "Namespace"), ("v1", "Secret"), ("v1", "ServiceAccount"), ("v1", "ConfigMap"),
           ("rbac.authorization.k8s.io/v1", "ClusterRole"), ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
           ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
           ("apps/v1", "Deployment"), ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
           ("coordination.k8s.io/v1", "Lease:hubspoke"), ("cluster.karmada.io/v1alpha1", "Cluster"),
           ("policy.karmada.io/v1alpha1", "PropagationPolicy"), ("argoproj.io/v1alpha1", "ApplicationSet"),
           ("externaldns.k8s.io/v1alpha1", "DNSEndpoint")]


def snapshot(apis):
    """{(cluster, kind, namespace, name): version} of the WATCHED objects on every API."""
    seen = {}
    for cluster, api in apis.items():
        resources = dynamic.DynamicClient(api).resources
        for api_version, kind in WATCHED:
            kind, _sep, prefix = kind.partition(":")
            try:
                items = resources.get(api_version=api_version, kind=kind).get().items
            except Exception:  # pylint: disable=broad-exception-caught  # the kind is not served there
                continue
            for obj in items:
                meta = obj.metadata
                if prefix and not meta.name.startswith(prefix):
                    continue  # kube-controller-manager's own leases renew all the time
                seen[(cluster, kind, meta.namespace, meta.name)] = meta.generation or meta.resourceVersion
    return seen


def write(path, doc):
    path.write_text(yaml.safe_dump(doc))
    return path


@dataclass
class Case:
    """One bad input: `run(world) -> PlaybookRun` does it; the message must appear in the output, `bad` hosts
    must not succeed, `good` hosts must converge, and `absent` clusters (left out of the inventory) have no host."""
    id: str
    run: object
    message: str
    bad: tuple = ("spoke-1",)
    good: tuple = ("spoke-2",)
    absent: tuple = ()


@dataclass
class World:
    fleet: object
    tmp: Path
    forbidden_token: str

    def host_vars(self, host, variables, name="bad.yml"):
        """An inventory file that only adds variables to an existing host of INVENTORY."""
        return write(self.tmp / name, {"all": {"hosts": {host: variables}}})

    def vars_file(self, text, name="bad-vars.yml"):
        """An extra-vars file (`@path`) written as given, so it may hold `!unsafe` Go templates."""
        (self.tmp / name).write_text(text)
        return "@{0}".format(self.tmp / name)

    def kubeconfig(self, doc, name="bad.kubeconfig"):
        path = self.tmp / name
        path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
        return path

    def spoke1(self):
        """spoke-1's server and CA file."""
        api = self.fleet.api("spoke-1")
        return api.configuration.host, api.configuration.ssl_ca_cert

    def clusters_inventory(self, *extra_sources, strict=False, name="bad.clusters.yml"):
        """A clusters inventory: the fleet's hub and spoke-2 from its kubeconfig, plus `extra_sources`."""
        base = {"type": "kubeconfig", "name": "fleet", "path": str(self.fleet.kubeconfig), "contexts": ["hub", "spoke-2"],
                "labels": {"role": "spoke"}, "context_labels": {"hub": {"role": "hub"}}}
        return write(self.tmp / name, {"plugin": "hubspoke.multicluster.clusters", "strict": strict,
                                       "sources": [base, *extra_sources]})

    def argocd_source(self, **options):
        return dict({"type": "argocd", "name": "argocd", "kubeconfig": str(self.fleet.kubeconfig), "context": "hub",
                     "hub": "hub"}, **options)

    def hub_secret(self, name, data):
        self.fleet.core("hub").create_namespaced_secret("argocd", {
            "metadata": {"name": name, "labels": {"argocd.argoproj.io/secret-type": "cluster"}},
            "stringData": data})


class Silent:
    """A TCP port that accepts connections and never answers: a hung API server or a black-holing proxy."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.server.accept()[0])
            except OSError:
                return


def static_source(*clusters):
    return {"type": "static", "name": "static", "clusters": list(clusters)}


def register(world, host_vars, **kwargs):
    return run_playbook(REGISTER, [INVENTORY, world.host_vars("spoke-1", host_vars)], **kwargs)


def spoke1_connection(world, **options):
    server, ca = world.spoke1()
    return {"hubspoke_connection": dict({"host": server, "ca_cert": ca}, **options)}


def never_answers(world):
    silent = Silent()
    return register(world, {"hubspoke_connection": {"host": "https://127.0.0.1:{0}".format(silent.port),
                                                    "api_key": "x", "validate_certs": False},
                            "argocd_cluster_allow_insecure": True})


def exec_secret(world):
    config_json = json.dumps({"execProviderConfig": {"command": "touch", "args": [str(PWNED)],
                                                     "apiVersion": "client.authentication.k8s.io/v1beta1"},
                              "tlsClientConfig": {"insecure": True}})
    world.hub_secret("execer", {"name": "execer", "server": "https://127.0.0.1:2", "config": config_json})
    try:
        run = run_playbook(WHOAMI, world.clusters_inventory(world.argocd_source()))
    finally:
        world.fleet.core("hub").delete_namespaced_secret("execer", "argocd")
    assert not PWNED.exists(), "the kubeconfig's exec command ran"
    return run


def malformed_secret(world):
    world.hub_secret("broken", {"name": "broken", "server": "https://127.0.0.1:3", "config": "{not json"})
    try:
        return run_playbook(WHOAMI, world.clusters_inventory(world.argocd_source()))
    finally:
        world.fleet.core("hub").delete_namespaced_secret("broken", "argocd")


def failover(world, **extra):
    return run_playbook(FAILOVER, INVENTORY, {**CATALOG, "failover_applications": ["api"], **extra})


def standby_down(world):
    fleet.stop("spoke-2")
    try:
        return failover(world, failover_confirm="spoke-2", failover_force=True)
    finally:
        fleet.start("spoke-2")


CASES = [
    # How a cluster is reached
    Case("kubeconfig-yaml-error", lambda w: register(w, {"hubspoke_connection": {
        "kubeconfig": str(w.kubeconfig("clusters: [\n"))}}), "bad.kubeconfig"),
    Case("kubeconfig-missing-cluster", lambda w: register(w, {"hubspoke_connection": {"kubeconfig": str(w.kubeconfig({
        "apiVersion": "v1", "kind": "Config", "current-context": "c", "clusters": [],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "c", "context": {"cluster": "gone", "user": "u"}}]}))}}), "gone"),
    Case("context-not-found", lambda w: register(w, {"hubspoke_connection": {
        "kubeconfig": str(w.fleet.kubeconfig), "context": "nope"}}), "nope"),
    Case("dead-port", lambda w: register(w, {"hubspoke_connection": {"host": "https://127.0.0.1:1", "api_key": "x"}}),
         "cannot reach the spoke at https://127.0.0.1:1"),
    Case("never-answers", never_answers, "timed out"),
    Case("wrong-token-401", lambda w: register(w, spoke1_connection(w, api_key="not-a-token")),
         "refused the credentials (401 Unauthorized)"),
    Case("forbidden-token-403", lambda w: register(w, spoke1_connection(w, api_key=w.forbidden_token)),
         "the cluster answered 403 Forbidden: serviceaccounts"),
    Case("unverified-tls", lambda w: register(w, spoke1_connection(w, validate_certs=False)), "does not verify TLS"),
    # What a registration is asked to do
    Case("hub-without-argocd-namespace", lambda w: register(w, {"argocd_cluster_argocd_namespace": "nowhere"}),
         "the hub has no namespace 'nowhere'"),
    Case("hub-not-an-inventory-host", lambda w: register(w, {"argocd_cluster_hub": "ghost"}),
         r'argocd_cluster_hub \"ghost\" is not an inventory host'),  # as the JSON callback escapes it
    Case("server-registered-under-another-name", lambda w: register(
        w, {"hubspoke_connection": {"kubeconfig": str(w.fleet.kubeconfig), "context": "spoke-2"}}),
        "is already registered on the hub as 'spoke-2'"),
    Case("custom-rbac-without-rules", lambda w: register(w, {"argocd_cluster_rbac": "custom"}), "rules"),
    Case("token-max-age-not-a-duration", lambda w: register(w, {"argocd_cluster_token_max_age": "soon"}),
         "is not a duration"),
    # The inventory
    Case("inventory-selector-syntax", lambda w: run_playbook(WHOAMI, w.clusters_inventory(
        w.argocd_source(selector="environment Foo production"))), "unable to parse requirement", bad=()),
    Case("integer-label-key", lambda w: run_playbook(WHOAMI, w.clusters_inventory(static_source(
        {"name": "edge", "server": "https://127.0.0.1:4", "labels": {1: "a"}}))),
        "label key 1 is not a string (it is a number): quote it", bad=(), absent=("edge",)),
    Case("duplicate-host-names", lambda w: run_playbook(WHOAMI, w.clusters_inventory(static_source(
        {"name": "spoke-2", "server": "https://127.0.0.1:5"}))),
        "leaving out host name 'spoke-2'", bad=(), good=("hub",), absent=("spoke-2",)),
    Case("labels-disagree-under-strict", lambda w: run_playbook(WHOAMI, w.clusters_inventory(static_source(
        {"name": "hub", "server": w.fleet.api("hub").configuration.host, "labels": {"role": "spoke"}}), strict=True)),
        "leaving out cluster hub (strict)", bad=(), absent=("hub",)),
    Case("malformed-argocd-cluster-secret", malformed_secret, "skipping cluster Secret argocd/broken: its config is not",
         bad=(),
         absent=("broken",)),
    Case("exec-kubeconfig-in-hub-secret", exec_secret, "runs the command 'touch', which `exec_commands` does not name",
         bad=("execer",)),
    # Networks
    Case("overlapping-cidrs", lambda w: run_playbook(PREFLIGHT, [INVENTORY, w.host_vars("spoke-1", {
        "hubspoke_pod_cidrs": ["10.160.0.0/16"], "hubspoke_service_cidrs": ["10.96.0.0/16"]})],
        {"hubspoke_spokes": "all"}), "overlaps spoke-1", bad=("spoke-1", "hub")),
    Case("overlapping-cidrs-under-limit", lambda w: run_playbook(PREFLIGHT, INVENTORY, {"network_preflight_recorded": {
        "spoke-9 (joined)": {"pod_cidrs": ["10.161.0.0/16"], "service_cidrs": []}}}, limit="spoke-1,spoke-2"),
        "overlaps spoke-9 (joined) pod range 10.161.0.0/16"),
    Case("invalid-cidr", lambda w: run_playbook(PREFLIGHT, [INVENTORY, w.host_vars("spoke-1", {
        "hubspoke_pod_cidrs": ["10.1.0.0/33"]})]), "pod range '10.1.0.0/33' is not a CIDR"),
    # Argo CD on the hub
    Case("applicationset-selector-operator-foo", lambda w: run_playbook(APPSETS, INVENTORY, {"applicationsets_items": [
        dict(APPSET, selector={"matchExpressions": [{"key": "environment", "operator": "Foo", "values": ["a"]}]})]}),
        "operator must be one of In, NotIn, Exists, DoesNotExist, got 'Foo'", bad=("hub",), good=()),
    # Both production spokes render the same Application name: Argo CD would stop the ApplicationSet at run time.
    Case("applicationset-duplicate-names", lambda w: run_playbook(APPSETS, INVENTORY, w.vars_file(
        "applicationsets_items:\n  - {name: per-environment, repo_url: 'https://git.example.com/x.git', path: x,\n"
        "     selector: {matchLabels: {environment: production}},\n"
        "     app_name: !unsafe 'web-{{.metadata.labels.environment}}'}\n")),
        "Application name 'web-production' is generated 2 times, for spoke-1 by per-environment, spoke-2 by "
        "per-environment", bad=("hub",), good=()),
    # Earlier tests leave Argo CD's CRDs on the hub, so a namespace nobody made stands for a hub without Argo CD.
    Case("argocd-missing", lambda w: run_playbook(APPSETS, INVENTORY, {
        "applicationsets_items": [APPSET], "applicationsets_namespace": "argocd-nowhere"}),
        "hub has no Argo CD in namespace argocd-nowhere (or no ApplicationSet CRD)", bad=("hub",), good=()),
    # Karmada
    Case("karmada-api-unreachable", lambda w: run_playbook(JOIN, [INVENTORY, w.host_vars("spoke-1", {
        "karmada_member_control_plane": {"host": "https://127.0.0.1:1", "api_key": "x"}})]),
        "cannot reach the Karmada control plane at https://127.0.0.1:1"),
    Case("karmada-member-joined-under-another-name", lambda w: run_playbook(JOIN, [INVENTORY, w.host_vars("spoke-1", {
        "hubspoke_connection": {"kubeconfig": str(w.fleet.kubeconfig), "context": "spoke-2"}})]),
        "this member is already joined as 'spoke-2'"),
    Case("karmada-weight-naming-no-cluster", lambda w: run_playbook(POLICIES, INVENTORY, {
        "karmada_policies_propagation": [{"name": "bad", "namespace": "default", "resources": WEB,
                                          "weights": {"spoke-9": 1}}]}),
         "weight 'spoke-9' names no inventory group or cluster", bad=("hub",), good=()),
    # Failover
    Case("failover-unknown-application", lambda w: failover(w, failover_applications=["cart"], failover_confirm="spoke-2"),
         "unknown application cart", bad=("localhost",), good=()),
    Case("failover-unconfirmed", lambda w: failover(w, failover_force=True),
         "confirm with -e failover_confirm=spoke-2", bad=("localhost",), good=()),
    Case("failover-healthy-primary", lambda w: failover(w, failover_confirm="spoke-2"),
         "spoke-1 answers and runs every workload of api", bad=("localhost",), good=()),
    Case("failover-standby-down", standby_down, "spoke-2, where traffic would move, is not ready",
         bad=("localhost",), good=()),
]


@pytest.fixture(name="world", scope="module")
def fixture_world(local_fleet, tmp_path_factory):
    """spoke-2 converged everywhere (registered to Argo CD, joined to Karmada), a direct-mode application for the
    failover cases, Argo CD's namespace on the hub; all undone afterwards."""
    karmada_was_up = any(row["cluster"] == "karmada" and row["state"] == "up" for row in fleet.status())
    fleet.up(len(local_fleet.spokes), karmada=True)
    try:
        yield World(local_fleet, tmp_path_factory.mktemp("bad-input"), converge(local_fleet))
    finally:
        run_playbook(JOIN, INVENTORY, {"karmada_member_state": "absent"})
        run_playbook(REGISTER, INVENTORY, {"argocd_cluster_state": "absent"})
        for cluster in local_fleet.spokes:
            delete_namespace(local_fleet.kubeconfig, cluster, "api")
        delete_namespace(local_fleet.kubeconfig, "hub", "argocd")
        delete_namespace(local_fleet.kubeconfig, "spoke-1", "bad-input")
        if not karmada_was_up:
            fleet.stop("karmada")


def converge(local_fleet):
    """The state every case starts from; returns a token that authenticates on spoke-1 and may do nothing."""
    for context, namespace in (("hub", "argocd"), ("spoke-1", "api"), ("spoke-2", "api"), ("spoke-1", "bad-input")):
        delete_namespace(local_fleet.kubeconfig, context, namespace)
        local_fleet.core(context).create_namespace({"metadata": {"name": namespace}})
    install_crds(local_fleet.api("hub"), [upstream.fetch("external-dns") / "crds/dnsendpoints.externaldns.k8s.io.yaml"])
    for cluster, replicas in (("spoke-1", 2), ("spoke-2", 0)):
        client.AppsV1Api(local_fleet.api(cluster)).create_namespaced_deployment("api", {
            "metadata": {"name": "api"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "api"}}, "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "api", "image": "docker.io/library/nginx:1.27"}]}}}})
    for playbook in (REGISTER, JOIN):
        run = run_playbook(playbook, INVENTORY, limit="spoke-2")
        assert run.rc == 0, run.stdout
    core = local_fleet.core("spoke-1")
    core.create_namespaced_service_account("bad-input", {"metadata": {"name": "powerless"}})
    return core.create_namespaced_service_account_token(
        "powerless", "bad-input", {"spec": {"expirationSeconds": 3600}}).status.token


def apis(local_fleet):
    found = {context: local_fleet.api(context) for context in local_fleet.contexts}
    found["karmada"] = fleet_api(config.KARMADA_KUBECONFIG, "karmada")
    return found


def test_the_table_is_long_enough():
    assert len(CASES) >= 25 and len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(world, case):
    before = snapshot(apis(world.fleet))
    run = case.run(world)
    output = run.stdout + run.stderr
    assert case.message in output, output[-4000:]
    for host in case.bad:
        stats = run.stats.get(host, {})
        assert stats.get("failures", 0) + stats.get("unreachable", 0) > 0, (host, stats)
    for host in case.absent:
        assert host not in run.stats, (host, "should have been left out of the inventory")
    for host in case.good:
        stats = run.stats[host]
        assert stats["failures"] == 0 and stats["unreachable"] == 0 and stats["changed"] == 0, (host, stats)
        assert stats["ok"] > 0
    after = snapshot(apis(world.fleet))
    changed = sorted(str(key) for key in set(before.items()) ^ set(after.items()))
    assert not changed, changed[:10]


def spoke_token_secrets(local_fleet, spoke):
    return [s for s in local_fleet.core(spoke).list_namespaced_secret(
        "kube-system", field_selector="type=kubernetes.io/service-account-token").items
        if s.metadata.name.startswith("argocd-manager-long-lived-token")]


def test_a_spoke_killed_mid_registration_converges_on_rerun_without_an_orphan(world):
    """spoke-1's kube-controller-manager is held back, so the registration waits for its token after writing the
    spoke's objects and token Secret; its kube-apiserver is then killed with SIGKILL, before the hub write."""
    local_fleet = world.fleet
    spoke = LocalCluster(next(spec for spec in config.existing_specs() if spec.name == "spoke-1"))
    process.stop(spoke._pid_file("kube-controller-manager"), spoke._binary("kube-controller-manager"))  # pylint: disable=protected-access
    hub_before = set(local_fleet.argocd_secrets())
    run = start_playbook(REGISTER, INVENTORY, limit="spoke-1")
    try:
        deadline = time.monotonic() + 60
        while not spoke_token_secrets(local_fleet, "spoke-1"):
            assert time.monotonic() < deadline, "the registration never wrote the spoke's token Secret"
            time.sleep(0.2)
        os.kill(spoke.pid("kube-apiserver"), signal.SIGKILL)
        assert run.wait(timeout=120) != 0
    finally:
        fleet.start("spoke-1")
    assert set(local_fleet.argocd_secrets()) == hub_before  # the hub never got a half registration
    leases = client.CoordinationV1Api(local_fleet.api("hub")).list_namespaced_lease("argocd").items
    assert not [lease.metadata.name for lease in leases if lease.metadata.name.startswith("hubspoke-")]

    rerun = run_playbook(REGISTER, INVENTORY, limit="spoke-1")
    try:
        assert rerun.rc == 0, rerun.stdout
        (secret,) = spoke_token_secrets(local_fleet, "spoke-1")
        token = base64.b64decode(secret.data["token"]).decode()
        assert local_fleet.status_with_token("spoke-1", token) == 200
        held = [as_argocd(s)[1]["config"]["bearerToken"] for s in local_fleet.argocd_secrets().values()]
        assert token in held
    finally:
        run_playbook(REGISTER, INVENTORY, {"argocd_cluster_state": "absent"}, limit="spoke-1")
