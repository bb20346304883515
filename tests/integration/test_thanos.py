"""Thanos from the inventory: sidecars on the spokes' prometheus-operator Prometheus objects (the real CRD from
the upstream module validates them), Query on the hub with one endpoint per spoke of the group; and the same
wiring run for real, with Prometheus and Thanos processes answering one query over two clusters."""

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
import yaml
from kubernetes import client, dynamic

import upstream
from helpers import INVENTORY, ROOT, assert_no_secret_in, delete_namespace, install_crds, run_playbook
from localfleet import config, fleet, pki

pytestmark = pytest.mark.builds("thanos")

THANOS = ROOT / "playbooks/thanos.yml"
ROLLOUTS = ROOT / "playbooks/rollouts.yml"


def endpoint(spoke):
    return f"{spoke}.thanos-sidecar-k8s.monitoring.svc.clusterset.local:10901"


@pytest.fixture(name="prometheus", scope="module")
def fixture_prometheus(local_fleet):
    """prometheus-operator's CRD and a Prometheus `k8s` in `monitoring` on every spoke, as kube-prometheus has it."""
    for context in local_fleet.contexts:  # whatever an interrupted run left
        delete_namespace(local_fleet.kubeconfig, context, "monitoring")
    for spoke in local_fleet.spokes:
        install_crds(local_fleet.api(spoke), [upstream.fetch("prometheus-operator") / "crds/monitoring.coreos.com_prometheuses.yaml"])
        local_fleet.core(spoke).create_namespace({"metadata": {"name": "monitoring"}})
    for spoke in local_fleet.spokes:
        prometheuses = dynamic.DynamicClient(local_fleet.api(spoke)).resources.get(
            api_version="monitoring.coreos.com/v1", kind="Prometheus")
        prometheuses.create(namespace="monitoring", body={
            "apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus",
            "metadata": {"name": "k8s", "namespace": "monitoring"},
            "spec": {"replicas": 2, "externalLabels": {"team": "platform"}}})
    yield
    for context in local_fleet.contexts:
        delete_namespace(local_fleet.kubeconfig, context, "monitoring")


def query_objects(local_fleet):
    core, apps = local_fleet.core(local_fleet.hub), client.AppsV1Api(local_fleet.api(local_fleet.hub))
    endpoints = yaml.safe_load(core.read_namespaced_config_map("thanos-query-endpoints", "monitoring")
                               .data["endpoints.yaml"])["endpoints"]
    return [e["address"] for e in endpoints], apps.read_namespaced_deployment("thanos-query", "monitoring")


def test_sidecars_and_query_follow_the_group(prometheus, local_fleet):
    check = run_playbook(THANOS, INVENTORY, check=True, limit="hub,spoke-1")
    assert check.rc == 0, check.stdout
    # the hub has no monitoring namespace yet: nothing was created there
    assert "monitoring" not in {n.metadata.name for n in local_fleet.core(local_fleet.hub).list_namespace().items}

    one = run_playbook(THANOS, INVENTORY, limit="hub,spoke-1")
    assert one.rc == 0, one.stdout
    addresses, deployment = query_objects(local_fleet)
    assert addresses == [endpoint("spoke-1")]
    args = deployment.spec.template.spec.containers[0].args
    assert "--endpoint.sd-config-file=/etc/thanos/endpoints/endpoints.yaml" in args
    assert "--query.replica-label=prometheus_replica" in args and "--query.replica-label=replica" in args

    prometheus_k8s = dynamic.DynamicClient(local_fleet.api("spoke-1")).resources.get(
        api_version="monitoring.coreos.com/v1", kind="Prometheus").get(name="k8s", namespace="monitoring")
    assert prometheus_k8s.spec.externalLabels.to_dict() == {"team": "platform", "cluster": "spoke-1"}
    assert prometheus_k8s.spec.thanos.image == "quay.io/thanos/thanos:v0.39.2"
    assert prometheus_k8s.spec.replicas == 2  # fields the role does not own are left alone
    service = local_fleet.core("spoke-1").read_namespaced_service("thanos-sidecar-k8s", "monitoring")
    assert service.spec.ports[0].port == 10901 and service.spec.selector["operator.prometheus.io/name"] == "k8s"

    both = run_playbook(THANOS, INVENTORY)
    assert both.rc == 0, both.stdout
    addresses, after = query_objects(local_fleet)
    assert addresses == [endpoint("spoke-1"), endpoint("spoke-2")]  # exactly one endpoint more
    assert after.metadata.generation == deployment.metadata.generation  # and no rollout of Query

    again = run_playbook(THANOS, INVENTORY)
    assert again.rc == 0 and again.changed == 0, again.stdout


def test_a_spoke_without_prometheus_fails_alone(prometheus, local_fleet):
    run = run_playbook(THANOS, INVENTORY, {"thanos_sidecar_prometheus": "missing"}, limit="spoke-1")
    assert run.rc != 0
    assert "has no Prometheus monitoring/missing" in run.results("Require prometheus-operator's Prometheus")["spoke-1"]["msg"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # nosec: loopback
        return json.load(response)


@pytest.fixture(name="processes")
def fixture_processes(tmp_path):
    """Start processes for one test and stop them after it."""
    started = []

    def start(name, argv):
        log = open(tmp_path / f"{name}.log", "wb")  # pylint: disable=consider-using-with
        started.append((subprocess.Popen([str(a) for a in argv], stdout=log, stderr=subprocess.STDOUT), log))
        return tmp_path / f"{name}.log"
    yield start
    for proc, log in reversed(started):
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def tls_secrets(local_fleet, directory):
    """Mutual TLS material as Secrets: the sidecars' serving pair on each spoke, Query's client pair on the hub,
    one CA for both directions."""
    pki.ensure_ca(directory, "thanos-test-ca")
    pki.ensure_serving_cert(directory, "sidecar", [endpoint(spoke) for spoke in local_fleet.spokes])
    pki.ensure_client_cert(directory, "query", "thanos-query")
    # One name fleet-wide: the inventory's hubspoke_thanos_tls_secret turns TLS on for sidecars and Query alike.
    secrets = {spoke: ("thanos-grpc-tls", "sidecar") for spoke in local_fleet.spokes}
    secrets[local_fleet.hub] = ("thanos-grpc-tls", "query")
    for cluster, (name, stem) in secrets.items():
        core = local_fleet.core(cluster)
        if "monitoring" not in {n.metadata.name for n in core.list_namespace().items}:
            core.create_namespace({"metadata": {"name": "monitoring"}})
        files = {"ca.crt": directory / "ca.crt", "tls.crt": directory / f"{stem}.crt", "tls.key": directory / f"{stem}.key"}
        core.create_namespaced_secret("monitoring", {"metadata": {"name": name}, "type": "Opaque", "data": {
            key: base64.b64encode(path.read_bytes()).decode() for key, path in files.items()}})
    return {"hubspoke_thanos_tls_secret": "thanos-grpc-tls"}


def secret_files(core, secret, directory):
    """Secret `secret`'s data written out as a volume mounts it, so the processes read exactly what the
    cluster holds."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, value in core.read_namespaced_secret(secret, "monitoring").data.items():
        (directory / key).write_bytes(base64.b64decode(value))
    return directory


def local_file(path, mount_path, directory):
    """`path` inside a container that mounts `directory` at `mount_path`."""
    assert path.startswith(mount_path + "/"), (path, mount_path)
    return directory / path[len(mount_path) + 1:]


def sidecar_tls_args(spec, core, directory):
    """The --grpc-server-tls-* flags prometheus-operator gives the sidecar for spec.thanos.grpcServerTlsConfig,
    with the Secret mounted where spec.thanos.volumeMounts says."""
    tls, mount = spec.thanos.grpcServerTlsConfig, spec.thanos.volumeMounts[0]
    secret = next(s for s in spec.secrets if mount.name == f"secret-{s}")  # the operator's volume for spec.secrets
    files = secret_files(core, secret, directory)
    flags = {"certFile": "--grpc-server-tls-cert", "keyFile": "--grpc-server-tls-key", "caFile": "--grpc-server-tls-client-ca"}
    return [f"{flag}={local_file(getattr(tls, field), mount.mountPath, files)}"
            for field, flag in flags.items() if getattr(tls, field)]


def query_args(core, deployment, endpoints, directory):
    """Query's args from the Deployment the role generated, with its mounted files as local files."""
    pod = deployment.spec.template.spec
    volumes = {v.name: v for v in pod.volumes}
    mounts = {m.mount_path: secret_files(core, volumes[m.name].secret.secret_name, directory / m.name)
              for m in pod.containers[0].volume_mounts if volumes[m.name].secret}
    args = []
    for arg in pod.containers[0].args:
        if arg.startswith("--endpoint.sd-config-file="):
            args.append(f"--endpoint.sd-config-file={endpoints}")
        elif arg.startswith("--grpc-client-tls-") and "=" in arg:
            flag, path = arg.split("=", 1)
            mount_path = next(m for m in mounts if path.startswith(m + "/"))
            args.append(f"{flag}={local_file(path, mount_path, mounts[mount_path])}")
        elif arg.startswith(("--query.replica-label=", "--grpc-client-")):
            args.append(arg)
    return args


def sidecar_vars(sidecars):
    """Extra vars putting each spoke's sidecar on its loopback port of `sidecars`, where the test runs it."""
    return {"thanos_sidecar_address": "127.0.0.1:{{ thanos_test_ports[inventory_hostname] }}",
            "thanos_test_ports": sidecars}


def start_fleet_query(local_fleet, processes, tmp_path, sidecars, tls):
    """Each spoke's Prometheus with the external labels the role wrote on its Prometheus object, a sidecar beside it
    at its port of `sidecars` (with the TLS files its spec.thanos names, when TLS is on), and Query run with the
    args, endpoint file and client certificate the role generated; returns Query's HTTP port and its log."""
    thanos = config.binary("thanos")
    for spoke, grpc in sidecars.items():
        spec = dynamic.DynamicClient(local_fleet.api(spoke)).resources.get(
            api_version="monitoring.coreos.com/v1", kind="Prometheus").get(name="k8s", namespace="monitoring").spec
        labels = dict(spec.externalLabels.to_dict(), prometheus_replica="prometheus-k8s-0")
        web = free_port()
        conf = tmp_path / f"{spoke}.yml"
        conf.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "external_labels": labels},
            "scrape_configs": [{"job_name": "prometheus", "static_configs": [{"targets": [f"127.0.0.1:{web}"]}]}]}))
        data = tmp_path / f"{spoke}-data"
        processes(f"prometheus-{spoke}", [
            shutil.which("prometheus"), f"--config.file={conf}", f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{web}", "--storage.tsdb.min-block-duration=2h",
            "--storage.tsdb.max-block-duration=2h"])
        tls_args = sidecar_tls_args(spec, local_fleet.core(spoke), tmp_path / f"{spoke}-tls") if tls else []
        assert len(tls_args) == (3 if tls else 0)  # serving pair and the client CA: mutual TLS
        processes(f"sidecar-{spoke}", [
            thanos, "sidecar", f"--prometheus.url=http://127.0.0.1:{web}", f"--tsdb.path={data}",
            f"--grpc-address=127.0.0.1:{grpc}", f"--http-address=127.0.0.1:{free_port()}", *tls_args])

    core, apps = local_fleet.core(local_fleet.hub), client.AppsV1Api(local_fleet.api(local_fleet.hub))
    endpoints = tmp_path / "endpoints.yaml"
    endpoints.write_text(core.read_namespaced_config_map("thanos-query-endpoints", "monitoring").data["endpoints.yaml"])
    args = query_args(core, apps.read_namespaced_deployment("thanos-query", "monitoring"), endpoints,
                      tmp_path / "query-tls")
    assert ("--grpc-client-tls-secure" in args) == tls
    http = free_port()
    log = processes("query", [thanos, "query", *args, f"--http-address=127.0.0.1:{http}",
                              f"--grpc-address=127.0.0.1:{free_port()}", "--endpoint.sd-config-reload-interval=1s"])
    return http, log


def wait_for_series(http, clusters, timeout=60):
    """The series of `count by (cluster, team) (up)` once Query answers with `clusters` of them (or at the deadline)."""
    query = urllib.parse.quote('count by (cluster, team) (up{job="prometheus"})')
    deadline = time.monotonic() + timeout
    series = []
    while time.monotonic() < deadline:
        try:
            series = get_json(f"http://127.0.0.1:{http}/api/v1/query?query={query}&dedup=true")["data"]["result"]
        except OSError:
            series = []
        if len(series) == clusters:
            break
        time.sleep(0.5)
    return series


@pytest.mark.parametrize("tls", [False, True], ids=["plaintext", "mutual-tls"])
def test_query_answers_with_series_of_both_clusters(prometheus, local_fleet, processes, tmp_path, tls):
    """Real Prometheus (Debian's) and Thanos (built from its module) processes: each spoke's Prometheus gets the
    external labels the role wrote on its Prometheus object, a sidecar beside it listens where the inventory
    says (with the TLS files its spec.thanos names, when TLS is on), and a Thanos Query run with the args,
    endpoint file and client certificate the role generated answers one PromQL query with series from both
    clusters."""
    fleet.ensure_built("thanos")
    sidecars = {spoke: free_port() for spoke in local_fleet.spokes}
    extra = sidecar_vars(sidecars)
    if tls:
        extra.update(tls_secrets(local_fleet, tmp_path / "pki"))
    run = run_playbook(THANOS, INVENTORY, extra, verbosity=3)
    assert run.rc == 0, run.stdout
    assert_no_secret_in(run, local_fleet.secrets())
    # Plaintext is a warning on every side; with the inventory's Secret named, TLS is on and nothing warns.
    for task, hosts in (("Warn that the StoreAPI would run plaintext", local_fleet.spokes),
                        ("Warn that Query would read the sidecars in plaintext", [local_fleet.hub])):
        warned = sorted(h for h, r in run.results(task).items() if r.get("warnings"))
        assert warned == ([] if tls else sorted(hosts)), (task, warned)
    if tls:
        again = run_playbook(THANOS, INVENTORY, extra)
        assert again.rc == 0 and again.changed == 0, again.stdout

    http, log = start_fleet_query(local_fleet, processes, tmp_path, sidecars, tls)
    series = wait_for_series(http, len(sidecars))
    assert sorted(s["metric"]["cluster"] for s in series) == sorted(sidecars), log.read_text()[-3000:]
    assert {s["metric"]["team"] for s in series} == {"platform"}


def rollout(name, template, image):
    """A Rollout whose canary sets half the replicas on the new version, then asks the fleet's analysis template."""
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": name, "namespace": "canary"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": image}]}},
                     "strategy": {"canary": {"steps": [
                         {"setWeight": 50},
                         {"analysis": {"templates": [{"templateName": template, "clusterScope": True}]}}]}}}}


def wait_for_rollout(rollouts, name, done, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        status = rollouts.get(name=name, namespace="canary").to_dict().get("status") or {}
        if done(status) or time.monotonic() > deadline:
            return status
        time.sleep(1)


@pytest.mark.builds("thanos", "rollouts")
def test_a_canary_on_a_spoke_is_judged_on_the_fleets_metrics(prometheus, local_fleet, processes, tmp_path):
    """Argo Rollouts' controller (built from its module) runs against spoke-1, installed there by the argo_rollouts
    role with two ClusterAnalysisTemplates whose queries go to the hub's Thanos Query (the inventory's
    hubspoke_thanos_query_url), which reads both spokes' Prometheus through their sidecars. A canary judged by
    `count(up) >= 2`, true of the two clusters, is promoted; one judged by `>= 3` is aborted and stays on its
    stable version. The pods run on KWOK's nodes, so the canary's traffic is not real: the controller's
    decisions, the AnalysisRuns and the queries are."""
    fleet.ensure_built("thanos", "rollouts")
    upstream.fetch("argo-rollouts")  # the local inventory's argo_rollouts_manifests
    sidecars = {spoke: free_port() for spoke in local_fleet.spokes}
    thanos = run_playbook(THANOS, INVENTORY, sidecar_vars(sidecars))
    assert thanos.rc == 0, thanos.stdout
    http, log = start_fleet_query(local_fleet, processes, tmp_path, sidecars, tls=False)
    assert len(wait_for_series(http, len(sidecars))) == 2, log.read_text()[-3000:]

    templates = [{"name": name, "query": 'count(up{job="prometheus"})', "success_condition": f"result[0] >= {least}",
                  "count": 1} for name, least in (("fleet-two-clusters-up", 2), ("fleet-three-clusters-up", 3))]
    extra = {"argo_rollouts_analysis_templates": templates, "hubspoke_thanos_query_url": f"http://127.0.0.1:{http}"}
    check = run_playbook(ROLLOUTS, INVENTORY, extra, check=True, limit="spoke-1")
    assert check.rc == 0 and check.changed > 0, check.stdout
    assert "argo-rollouts" not in {n.metadata.name for n in local_fleet.core("spoke-1").list_namespace().items}
    run = run_playbook(ROLLOUTS, INVENTORY, extra, limit="spoke-1")
    assert run.rc == 0, run.stdout
    again = run_playbook(ROLLOUTS, INVENTORY, extra, limit="spoke-1")
    assert again.rc == 0 and again.changed == 0, again.stdout

    controller = processes("rollouts-controller", [
        config.binary("rollouts-controller"), f"--kubeconfig={local_fleet.kubeconfig}", "--context=spoke-1",
        "--leader-elect=false",
        f"--metricsPort={free_port()}", f"--healthzPort={free_port()}", "--loglevel=info"])
    rollouts = dynamic.DynamicClient(local_fleet.api("spoke-1")).resources.get(
        api_version="argoproj.io/v1alpha1", kind="Rollout")
    local_fleet.core("spoke-1").create_namespace({"metadata": {"name": "canary"}})
    try:
        cases = {"promoted": "fleet-two-clusters-up", "aborted": "fleet-three-clusters-up"}
        for name, template in cases.items():
            rollouts.create(body=rollout(name, template, "registry.example/web:1"))
        for name in cases:  # a first version is not a canary: it becomes stable at once
            status = wait_for_rollout(rollouts, name, lambda st: st.get("phase") == "Healthy")
            assert status.get("phase") == "Healthy", (status, controller.read_text()[-3000:])
        stable = {name: rollouts.get(name=name, namespace="canary").status.stableRS for name in cases}
        for name in cases:
            rollouts.patch(name=name, namespace="canary", content_type="application/merge-patch+json", body={
                "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "registry.example/web:2"}]}}}})

        promoted = wait_for_rollout(rollouts, "promoted", lambda st: st.get("phase") == "Healthy"
                                    and st.get("stableRS") != stable["promoted"])
        assert promoted.get("stableRS") == promoted.get("currentPodHash") != stable["promoted"], (
            promoted, controller.read_text()[-3000:])
        aborted = wait_for_rollout(rollouts, "aborted", lambda st: st.get("abort"))
        assert aborted.get("abort") and aborted.get("stableRS") == stable["aborted"], (aborted, controller.read_text()[-3000:])

        runs = dynamic.DynamicClient(local_fleet.api("spoke-1")).resources.get(
            api_version="argoproj.io/v1alpha1", kind="AnalysisRun").get(namespace="canary").to_dict()["items"]
        phases = {run["metadata"]["ownerReferences"][0]["name"]: run["status"]["phase"] for run in runs}
        assert phases == {"promoted": "Successful", "aborted": "Failed"}, phases
        measured = {run["metadata"]["ownerReferences"][0]["name"]: run["status"]["metricResults"][0]["measurements"][0]
                    for run in runs}
        assert all(m["value"] == "[2]" for m in measured.values()), measured  # the fleet's answer: two clusters
    finally:
        delete_namespace(local_fleet.kubeconfig, "spoke-1", "canary")
        removed = run_playbook(ROLLOUTS, INVENTORY, {"argo_rollouts_state": "absent"}, limit="spoke-1")
        assert removed.rc == 0, removed.stdout
