"""Build the clusters inventory for N clusters: one kubeconfig of N contexts, and N Argo CD cluster
Secrets on the local fleet's hub. Prints the plugin's own parse time and peak memory per scenario,
and the wall time of `ansible-inventory --list` (what AWX runs) for comparison.

  make fleet-up && make benchmarks      (or, with the Makefile's environment: python benchmarks/inventory_scale.py)
"""

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from kubernetes import client, config

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "bench-argocd"
# A realistic user entry: client certificate and key data, about 3 KiB per context.
FAKE_PEM = base64.b64encode(b"-----BEGIN CERTIFICATE-----\n" + b"A" * 1100 + b"\n-----END CERTIFICATE-----\n").decode()

PARSE = r"""
import resource, sys, time
from ansible.parsing.dataloader import DataLoader
from ansible.inventory.manager import InventoryManager
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
inventory = InventoryManager(loader=DataLoader(), sources=[sys.argv[1]])
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(inventory.hosts), len(inventory.groups), elapsed, (peak - before) / 1024, peak / 1024)
"""


def kubeconfig_of(count):
    names = ["cluster-{0:04d}".format(i) for i in range(count)]
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": names[0],
        "clusters": [{"name": n, "cluster": {"server": "https://10.{0}.{1}.1:6443".format(i // 250, i % 250),
                                             "certificate-authority-data": FAKE_PEM}} for i, n in enumerate(names)],
        "users": [{"name": n, "user": {"client-certificate-data": FAKE_PEM, "client-key-data": FAKE_PEM}}
                  for n in names],
        "contexts": [{"name": n, "context": {"cluster": n, "user": n}} for n in names],
    }


def b64(text):
    return base64.b64encode(text.encode()).decode()


def create_secrets(core, count):
    core.create_namespace({"metadata": {"name": NAMESPACE}})
    for i in range(count):
        labels = {"argocd.argoproj.io/secret-type": "cluster", "environment": ("production", "staging")[i % 2],
                  "region": ("cn-hangzhou", "cn-shanghai", "eu-west-1")[i % 3]}
        config_json = json.dumps({"bearerToken": "bench-token-{0}".format(i), "tlsClientConfig": {"caData": FAKE_PEM}})
        core.create_namespaced_secret(NAMESPACE, {
            "metadata": {"name": "cluster-bench-{0:04d}".format(i), "labels": labels},
            "data": {"name": b64("bench-{0:04d}".format(i)), "config": b64(config_json),
                     "server": b64("https://172.{0}.{1}.1:6443".format(16 + i // 250, i % 250))}})


def measure(inventory_file):
    proc = subprocess.run([sys.executable, "-c", PARSE, str(inventory_file)], capture_output=True, text=True,
                          check=True)
    hosts, groups, seconds, delta_mib, peak_mib = proc.stdout.split()
    started = time.perf_counter()
    subprocess.run(["ansible-inventory", "-i", str(inventory_file), "--list"], capture_output=True, check=True)
    cli = time.perf_counter() - started
    return int(hosts), int(groups), float(seconds), float(delta_mib), float(peak_mib), cli


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--kubeconfig", default=str(ROOT / ".fleet/kubeconfig"), help="fleet kubeconfig (hub context)")
    args = parser.parse_args()

    core = client.CoreV1Api(config.new_client_from_config(args.kubeconfig, context="hub", persist_config=False))
    started = time.perf_counter()
    create_secrets(core, args.clusters)
    print("setup: {0} Argo CD cluster Secrets created on the hub in {1:.1f} s".format(
        args.clusters, time.perf_counter() - started))
    try:
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            big = scratch / "fleet.yaml"
            big.write_text(yaml.safe_dump(kubeconfig_of(args.clusters)))
            scenarios = {
                "kubeconfig, {0} contexts ({1:.1f} MiB file)".format(args.clusters, big.stat().st_size / 2**20):
                    [{"type": "kubeconfig", "path": str(big)}],
                "argocd, {0} cluster Secrets on the hub".format(args.clusters):
                    [{"type": "argocd", "kubeconfig": args.kubeconfig, "context": "hub", "namespace": NAMESPACE}],
                "both sources together ({0} hosts)".format(2 * args.clusters):
                    [{"type": "kubeconfig", "path": str(big)},
                     {"type": "argocd", "kubeconfig": args.kubeconfig, "context": "hub", "namespace": NAMESPACE}],
            }
            print("{0:<46} {1:>6} {2:>7} {3:>10} {4:>14} {5:>18}".format(
                "scenario", "hosts", "groups", "plugin s", "plugin +MiB", "ansible-inventory s"))
            for title, sources in scenarios.items():
                path = scratch / "bench.clusters.yml"
                path.write_text(yaml.safe_dump({"plugin": "hubspoke.multicluster.clusters", "sources": sources}))
                hosts, groups, seconds, delta, _peak, cli = measure(path)
                print("{0:<46} {1:>6} {2:>7} {3:>10.3f} {4:>14.1f} {5:>18.2f}".format(
                    title, hosts, groups, seconds, delta, cli))
    finally:
        core.delete_namespace(NAMESPACE)


if __name__ == "__main__":
    main()
