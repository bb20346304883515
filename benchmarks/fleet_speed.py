"""A task over the whole fleet against what it replaces, side by side in one run (issue 17).

On a throw-away fleet (hub + N spokes, one KWOK node each, its own folder and port range), each figure is the
median of `--runs` runs of the whole command, wall time and CPU (user + system of it and its children):
  - the serial kubectl loop over the contexts, and an empty play (`meta: noop`) over the same hosts;
  - one hubspoke.multicluster.cluster_status task and one kubernetes.core.k8s_info task over every cluster,
    with modules run by the module server (the cluster connection's default) and, for the figure
    before, in a new interpreter each (HUBSPOKE_IN_PROCESS=0);
  - one cluster_status task run once (run_once: true), which probes every host of the play concurrently, and one
    fleet_info task (the nodes, as kubectl get nodes lists them) run once the same way, each also with the module
    server and the module payloads made anew for the run (PER_RUN: a first run, or AWX's);
  - register_spokes.yml (first run, then nothing to change) with both;
  - playbooks/site.yml (Argo CD on the hub, every spoke registered, an ApplicationSet routed to every spoke)
    run twice, the second time with nothing to change, against the empty play;
  - playbooks/karmada_join.yml (Karmada's control plane started beside the fleet; first run, then nothing to
    change), the role's one run-once join against a task per member (a karmada_member task, then a k8s_info
    wait for Ready, as the role ran before), both with the module server;
  - thanos.yml's sidecar role (prometheus-operator's CRD and a Prometheus on every spoke; first run, then nothing
    to change), its two run-once reads against the role as it was, a read and two applies per spoke;
  - governance.yml's namespace_quotas role (a ResourceQuota and a LimitRange in every spoke's default namespace;
    first run, then nothing to change), with the module server and with a new interpreter per module.
Ratios are printed beside the figures. `--contexts M` adds the read over M kubeconfig contexts spread over the
fleet's API servers (each context its own inventory host), against the kubectl loop over the same M, and the
same probes without Ansible (cluster_status's fan-out called in this process): the floor on this machine.
`--only register,site` measures only those parts (reads, register, site, thanos, karmada, governance), beside the
loop and the empty play.
  .venv/bin/python benchmarks/fleet_speed.py [--spokes 20] [--runs 3] [--contexts 200]
                                             [--only reads,register,site,thanos,karmada,governance]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
PLAYS = {
    "noop": [{"meta": "noop"}],
    "status": [{"hubspoke.multicluster.cluster_status": {}}],
    "status_once": [{"hubspoke.multicluster.cluster_status": {}, "run_once": True}],
    "nodes": [{"kubernetes.core.k8s_info": {"kind": "Node"}}],
    "nodes_once": [{"hubspoke.multicluster.fleet_info": {"kind": "Node"}, "run_once": True}],
}

# site.yml's ApplicationSet: one Application per spoke, routed by the label every spoke has. Nothing syncs it
# (no Argo CD controllers run in this benchmark): the figure is the collection's work, not Argo CD's.
ROUTE_TO_ALL = {"name": "everywhere", "repo_url": "https://git.example.com/fleet/apps.git", "path": "apps",
                "selector": {"matchLabels": {"role": "spoke"}}}


# The join as the karmada_member role ran it before it joined its play's members in one task.
KARMADA = "{{ hostvars[groups['role_hub'][0]].karmada_control_plane_api }}"
JOIN_PER_MEMBER = [{
    "name": "join per member", "hosts": "role_spoke", "gather_facts": False, "tasks": [
        {"hubspoke.multicluster.karmada_member": {"name": "{{ inventory_hostname }}", "labels": "{{ hubspoke_labels }}",
                                                  "control_plane": KARMADA, "state": "{{ state }}"},
         "no_log": True, "vars": {"state": "present"}},
        {"kubernetes.core.k8s_info": {"api_version": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
                                      "name": "{{ inventory_hostname }}", "wait": True, "wait_sleep": 1,
                                      "wait_condition": {"type": "Ready", "status": "True"}, "wait_timeout": 120},
         "module_defaults": {"group/hubspoke.multicluster.fleet": KARMADA}, "no_log": True}]}]


# governance.yml's quota role on every spoke (Gatekeeper needs its controllers, which this fleet does not run).
QUOTAS = [{"name": "quotas", "hosts": "role_spoke", "gather_facts": False, "roles": [{
    "role": "hubspoke.multicluster.namespace_quotas",
    "namespace_quotas_items": [{"name": "tenant", "namespaces": ["default"],
                                "resource_quota": {"hard": {"pods": "50", "requests.cpu": "4"}},
                                "limit_range": [{"type": "Container", "default": {"cpu": "500m"}}]}]}]}]


# The module server and the module payloads made anew for each run, as before they were kept across runs: the
# figures of a first run, and of every run in a new AWX execution environment.
PER_RUN = {"HUBSPOKE_IN_PROCESS_KEEP_ALIVE": "0", "HUBSPOKE_KEEP_PAYLOADS": "0"}


# thanos.yml's sidecar role on every spoke, and the same as the role ran before it read its clusters once for the
# play: a read of the Prometheus object and two server-side applies per spoke.
SIDECARS = [{"name": "sidecars", "hosts": "role_spoke", "gather_facts": False,
             "roles": [{"role": "hubspoke.multicluster.thanos_sidecar", "thanos_sidecar_tls_secret": "tls"}]}]
SIDECAR_APPLY = {"apply": True, "server_side_apply": {"field_manager": "hubspoke-thanos-sidecar", "force_conflicts": True}}
SIDECARS_PER_SPOKE = [{"name": "sidecars per spoke", "hosts": "role_spoke", "gather_facts": False, "tasks": [
    {"kubernetes.core.k8s_info": {"api_version": "monitoring.coreos.com/v1", "kind": "Prometheus", "name": "k8s",
                                  "namespace": "monitoring"}, "register": "found"},
    {"ansible.builtin.assert": {"that": "found.resources | length == 1", "quiet": True}},
    {"kubernetes.core.k8s": dict(SIDECAR_APPLY, definition={
        "apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "k8s", "namespace": "monitoring"},
        "spec": {"externalLabels": {"cluster": "{{ inventory_hostname }}"}, "thanos": {"image": "quay.io/thanos/thanos:v0.39.2"}}})},
    {"kubernetes.core.k8s": dict(SIDECAR_APPLY, definition={
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "thanos-sidecar-k8s", "namespace": "monitoring",
                     "labels": {"app.kubernetes.io/name": "thanos-sidecar"}},
        "spec": {"selector": {"app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "k8s"},
                 "ports": [{"name": "grpc", "port": 10901, "targetPort": "grpc", "protocol": "TCP"}]}}),
     "register": "service"},
    {"ansible.builtin.set_fact": {"thanos_sidecar_endpoint": "{{ inventory_hostname }}.{{ service.result.metadata.name }}:10901"}}]}]


def prometheus_everywhere(kubeconfig, spokes):
    """prometheus-operator's CRD and a Prometheus `k8s` in `monitoring` on every spoke, as kube-prometheus has them."""
    import yaml  # pylint: disable=import-outside-toplevel
    from kubernetes import client, config as kube_config, dynamic  # pylint: disable=import-outside-toplevel

    import upstream  # pylint: disable=import-outside-toplevel

    crd = yaml.safe_load((upstream.fetch("prometheus-operator") / "crds/monitoring.coreos.com_prometheuses.yaml").read_text())
    for spoke in spokes:
        api = kube_config.new_client_from_config(str(kubeconfig), context=spoke, persist_config=False)
        client.ApiextensionsV1Api(api).create_custom_resource_definition(crd)
        client.CoreV1Api(api).create_namespace({"metadata": {"name": "monitoring"}})
        deadline = time.monotonic() + 60
        while True:
            try:
                prometheuses = dynamic.DynamicClient(api).resources.get(api_version="monitoring.coreos.com/v1", kind="Prometheus")
                break
            except Exception:  # pylint: disable=broad-exception-caught  # not served yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        prometheuses.create(namespace="monitoring", body={
            "apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "k8s", "namespace": "monitoring"},
            "spec": {"replicas": 1}})


def timed(cmd, env=None, cwd=ROOT):
    """(wall, cpu) seconds of one command; a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          check=False, shell=isinstance(cmd, str))
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medians(samples):
    """(wall, cpu) medians of (wall, cpu) samples."""
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def median(cmd, runs, env=None):
    return medians([timed(cmd, env) for _run in range(runs)])


def write_play(scratch, name, tasks):
    path = Path(scratch) / f"{name}.yml"
    path.write_text(json.dumps([{"name": name, "hosts": "all", "gather_facts": False, "tasks": tasks}]))
    return path


def write_inventory(scratch, kubeconfig, name="bench"):
    path = Path(scratch) / f"{name}.clusters.yml"
    path.write_text(json.dumps({
        "plugin": "hubspoke.multicluster.clusters",
        "sources": [{"type": "kubeconfig", "name": name, "path": str(kubeconfig), "labels": {"role": "spoke"},
                     "context_labels": {"hub": {"role": "hub"}}}],
    }))
    return path


def spread_contexts(kubeconfig, count, scratch):
    """A kubeconfig of `count` contexts, each its own cluster entry, spread round-robin over the fleet's API
    servers, and a static inventory with one host per context (the clusters inventory would merge contexts
    that name one server into one host)."""
    import yaml  # pylint: disable=import-outside-toplevel

    doc = yaml.safe_load(Path(kubeconfig).read_text())
    clusters, users = doc["clusters"], {u["name"]: u for u in doc["users"]}
    contexts = {c["name"]: c["context"] for c in doc["contexts"]}
    out = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": list(users.values()), "contexts": []}
    hosts = {}
    for index in range(count):
        base = clusters[index % len(clusters)]
        name = f"ctx-{index:03d}"
        user = next(c["user"] for c in contexts.values() if c["cluster"] == base["name"])
        out["clusters"].append({"name": name, "cluster": base["cluster"]})
        out["contexts"].append({"name": name, "context": {"cluster": name, "user": user}})
        hosts[name] = {"hubspoke_connection": {"kubeconfig": str(Path(scratch) / "spread.kubeconfig"), "context": name}}
    (Path(scratch) / "spread.kubeconfig").write_text(yaml.safe_dump(out))
    inventory = Path(scratch) / "spread.yml"
    inventory.write_text(json.dumps({"all": {"vars": {
        "ansible_connection": "hubspoke.multicluster.cluster",
        "ansible_python_interpreter": sys.executable}, "hosts": hosts}}))
    return Path(scratch) / "spread.kubeconfig", inventory


def probes_alone(kubeconfig, count, runs):
    """(wall, cpu) medians of cluster_status's probes of `count` contexts in this process, no Ansible: what a
    run-once read cannot go below on this machine (one TLS connection and four requests per cluster, the API
    servers on the same cores)."""
    for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if path and path not in sys.path:
            sys.path.append(path)
    # pylint: disable-next=import-outside-toplevel,import-error
    from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.cluster_status import statuses_of

    connections = {f"ctx-{i:03d}": {"kubeconfig": str(kubeconfig), "context": f"ctx-{i:03d}"} for i in range(count)}
    statuses_of(dict(list(connections.items())[:2]))  # the library's imports and first use, out of the figure
    samples = []
    for _run in range(runs):
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        statuses = statuses_of(connections)
        after = resource.getrusage(resource.RUSAGE_SELF)
        if not all(status["ready"] for status in statuses.values()):
            raise SystemExit("a probe of the spread contexts failed")
        samples.append((time.monotonic() - started,
                        (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)))
    return medians(samples)


def kubectl_loop(kubeconfig):
    from localfleet import config  # pylint: disable=import-outside-toplevel

    kubectl = config.binary("kubectl")
    return (f"for ctx in $({kubectl} --kubeconfig {kubeconfig} config get-contexts -o name); do "
            f"{kubectl} --kubeconfig {kubeconfig} --context=$ctx get nodes >/dev/null; done")


def line(row):
    label, (wall, cpu), base = row
    ratio = "" if base is None else (f"  loop/this {base[0][0] / wall:5.2f}x  this-empty {wall - base[1][0]:+6.2f} s"
                                     f"  this/empty {wall / base[1][0]:5.1f}x")
    return f"{label:<72} {wall:7.2f} s wall {cpu:7.2f} s cpu{ratio}"


class Rows(list):
    """The figures, each also printed as it is measured, so a part that fails keeps the figures before it."""

    def append(self, row):
        super().append(row)
        print(line(row), flush=True)


def playbook(inventory, play, forks):
    return ["ansible-playbook", "-i", str(inventory), str(play), "-f", str(forks)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spokes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--contexts", type=int, default=0)
    parser.add_argument("--port-base", default="24000")
    parser.add_argument("--only", default="reads,register,site,thanos,karmada,governance",
                        help="comma-separated parts to measure")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    forks = args.spokes + 1
    before = {"HUBSPOKE_IN_PROCESS": "0"}

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(FLEET_DIR=scratch, FLEET_PORT_BASE=args.port_base, FLEET_NODES="1")
        from kubernetes import client, config as kube_config  # pylint: disable=import-outside-toplevel

        from localfleet import config, fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_* at import

        fleet.ensure_built()
        rows = Rows()
        try:
            fleet.up(args.spokes)
            kubeconfig = config.KUBECONFIG
            hub = kube_config.new_client_from_config(str(kubeconfig), context="hub", persist_config=False)
            client.CoreV1Api(hub).create_namespace({"metadata": {"name": "argocd"}})
            inventory = write_inventory(scratch, kubeconfig)
            plays = {name: write_play(scratch, name, tasks) for name, tasks in PLAYS.items()}
            clusters = args.spokes + 1
            loop = median(kubectl_loop(kubeconfig), args.runs)
            noop = median(playbook(inventory, plays["noop"], forks), args.runs)
            rows.append((f"kubectl loop, get nodes, {clusters} contexts", loop, None))
            rows.append((f"empty play over {clusters} hosts", noop, None))
            if "reads" in parts:
                for name, label in (("status", "cluster_status"), ("nodes", "kubernetes.core.k8s_info Node")):
                    after = median(playbook(inventory, plays[name], forks), args.runs)
                    was = median(playbook(inventory, plays[name], forks), args.runs, before)
                    rows.append((f"{label}, new interpreter per module (before)", was, (loop, noop)))
                    rows.append((f"{label}, module server (now)", after, (loop, noop)))
                for name, label in (("status_once", "cluster_status"), ("nodes_once", "fleet_info Node")):
                    per_run = median(playbook(inventory, plays[name], forks), args.runs, PER_RUN)
                    kept = median(playbook(inventory, plays[name], forks), args.runs)
                    rows.append((f"{label} run once, server and payloads per run (as on 2026-12-04)", per_run, (loop, noop)))
                    rows.append((f"{label} run once for the whole play (now)", kept, (loop, noop)))
            if "register" in parts:
                register = ["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks/register_spokes.yml"),
                            "-f", str(forks)]
                deregister = ["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks/deregister.yml"),
                              "-f", str(forks)]
                for label, env in (("before", before), ("now", None)):
                    first = timed(register, env)
                    again = median(register, args.runs, env)
                    timed(deregister, env)
                    rows.append((f"register_spokes.yml, {args.spokes} spokes, first run ({label})", first, (loop, noop)))
                    rows.append((f"register_spokes.yml again, nothing to change ({label})", again, (loop, noop)))
            if "site" in parts:
                import upstream  # pylint: disable=import-outside-toplevel

                site = ["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks/site.yml"), "-f", str(forks),
                        "-e", json.dumps({"argocd_hub_version": upstream.version_of("argo-cd"),
                                          "argocd_hub_manifests": str(upstream.fetch("argo-cd")),
                                          "applicationsets_items": [ROUTE_TO_ALL]})]
                rows.append(("site.yml, first run", timed(site), (loop, noop)))
                rows.append(("site.yml again, nothing to change", median(site, args.runs), (loop, noop)))
            if "governance" in parts:
                quotas = Path(scratch) / "quotas.yml"
                quotas.write_text(json.dumps(QUOTAS))
                command = playbook(inventory, quotas, forks)
                for label, env in (("new interpreter per module (before)", before), ("module server (now)", None)):
                    first = timed(command, env)
                    again = median(command, args.runs, env)
                    rows.append((f"namespace_quotas, {args.spokes} spokes, first run, {label}", first, (loop, noop)))
                    rows.append((f"namespace_quotas again, nothing to change, {label}", again, (loop, noop)))
                    timed(command + ["-e", json.dumps({"namespace_quotas_items": []})], env)  # removes them again
            if "thanos" in parts:
                prometheus_everywhere(kubeconfig, [f"spoke-{i}" for i in range(1, args.spokes + 1)])
                for label, plays_ in (("a read and two applies per spoke (before)", SIDECARS_PER_SPOKE),
                                      ("run-once reads, applies only what is not held (now)", SIDECARS)):
                    sidecars = Path(scratch) / "sidecars.yml"
                    sidecars.write_text(json.dumps(plays_))
                    command = playbook(inventory, sidecars, forks)
                    first = timed(command)
                    again = median(command, args.runs)
                    rows.append((f"thanos sidecars, {args.spokes} spokes, first run, {label}", first, (loop, noop)))
                    rows.append((f"thanos sidecars again, nothing to change, {label}", again, (loop, noop)))
            if "karmada" in parts:
                fleet.up(args.spokes, karmada=True)
                local = fleet.local_inventory()
                join = ["ansible-playbook", "-i", str(local), str(ROOT / "playbooks/karmada_join.yml"), "-f", str(forks)]
                unjoin = join + ["-e", "karmada_member_state=absent"]
                per_member = Path(scratch) / "join_per_member.yml"
                per_member.write_text(json.dumps(JOIN_PER_MEMBER))
                timed(unjoin)
                join_per_member = ["ansible-playbook", "-i", str(local), str(per_member), "-f", str(forks)]
                for label, command in (("a task per member (before)", join_per_member), ("run once (now)", join)):
                    first = timed(command)
                    again = median(command, args.runs)
                    timed(unjoin)
                    rows.append((f"karmada_join.yml, {args.spokes} members, first run, {label}", first, (loop, noop)))
                    rows.append((f"karmada_join.yml again, nothing to change, {label}", again, (loop, noop)))
            if args.contexts:
                spread, spread_inventory = spread_contexts(kubeconfig, args.contexts, scratch)
                spread_loop = median(kubectl_loop(spread), args.runs)
                spread_noop = median(playbook(spread_inventory, plays["noop"], 50), args.runs)
                rows.append((f"kubectl loop, get nodes, {args.contexts} contexts", spread_loop, None))
                rows.append((f"empty play over {args.contexts} hosts, forks 50", spread_noop, None))
                spread_nodes = median(playbook(spread_inventory, plays["nodes"], 50), args.runs)
                rows.append((f"kubernetes.core.k8s_info Node over {args.contexts} hosts, forks 50 (now)", spread_nodes,
                             (spread_loop, spread_noop)))
                spread_once = median(playbook(spread_inventory, plays["status_once"], 50), args.runs)
                rows.append((f"cluster_status run once over {args.contexts} hosts (now)", spread_once,
                             (spread_loop, spread_noop)))
                rows.append((f"the same {args.contexts} probes in one Python process, no Ansible (the floor)",
                             probes_alone(spread, args.contexts, args.runs), (spread_loop, spread_noop)))
                spread_nodes_once = median(playbook(spread_inventory, plays["nodes_once"], 50), args.runs)
                rows.append((f"fleet_info Node run once over {args.contexts} hosts (now)", spread_nodes_once,
                             (spread_loop, spread_noop)))
        finally:
            fleet.down()

    print(f"hub + {args.spokes} spokes, forks {forks}, medians of {args.runs}; ratios: kubectl loop / this, "
          "this - empty play, this / empty play")
    for row in rows:
        print(line(row))


if __name__ == "__main__":
    main()
