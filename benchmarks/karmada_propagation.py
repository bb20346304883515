"""Karmada on the local fleet: control plane start, join, and the time from applying a weighted policy to the
members running their share of the replicas (Available), then unjoin.

Runs a throw-away fleet (hub + 2 spokes + Karmada's processes) in its own folder and port range, with the
collection's playbooks and the local inventory's group_vars:
  .venv/bin/python benchmarks/karmada_propagation.py
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.playbook_run import timed_playbook  # noqa: E402  # pylint: disable=wrong-import-position

WEB = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}]
POLICIES = {
    "karmada_policies_resources": [{
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}],
    "karmada_policies_propagation": [{"name": "web", "namespace": "default", "resources": WEB,
                                      "placement": {"selector": {"matchLabels": {"role": "spoke"}}},
                                      "weights": {"region_cn_hangzhou": 2, "region_cn_shanghai": 1}}],
}


def main():
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(FLEET_DIR=scratch, FLEET_PORT_BASE="26000")
        from kubernetes import client, config as kube_config  # pylint: disable=import-outside-toplevel

        from localfleet import config, fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_* at import

        fleet.ensure_built("karmada")
        try:
            fleet.up(2)
            started = time.monotonic()
            fleet.up(2, karmada=True)
            plane_up = time.monotonic() - started
            inventory = fleet.local_inventory()
            join = timed_playbook("karmada_join.yml", inventory)
            join_again = timed_playbook("karmada_join.yml", inventory)

            apps = {name: client.AppsV1Api(kube_config.new_client_from_config(
                str(config.KUBECONFIG), context=name, persist_config=False)) for name in ("spoke-1", "spoke-2")}
            started = time.monotonic()
            policies = timed_playbook("karmada_policies.yml", inventory, extra_vars=POLICIES)
            want = {"spoke-1": 2, "spoke-2": 1}
            while {name: available(api) for name, api in apps.items()} != want:
                if time.monotonic() - started > 300:
                    raise SystemExit("replicas did not arrive within 300 s")
                time.sleep(0.2)
            propagated = time.monotonic() - started
            unjoin = timed_playbook("karmada_join.yml", inventory, extra_vars={"karmada_member_state": "absent"})
        finally:
            fleet.down()

    print("Karmada v1.18.2 as local processes, hub + 2 spokes")
    print(f"control plane up (etcd, API server, aggregated API, webhook, controllers): {plane_up:5.1f} s")
    print(f"join 2 members, until both Ready:           {join[0]:5.1f} s  changed {join[1]}")
    print(f"join again (no change):                     {join_again[0]:5.1f} s  changed {join_again[1]}")
    print(f"policies playbook:                          {policies[0]:5.1f} s  changed {policies[1]}")
    print(f"policy applied -> 2 + 1 replicas Available: {propagated:5.1f} s (from the start of the playbook)")
    print(f"unjoin 2 members, cleanup waited for:       {unjoin[0]:5.1f} s  changed {unjoin[1]}")


def available(api):
    try:
        return api.read_namespaced_deployment("web", "default").status.available_replicas or 0
    except Exception:  # pylint: disable=broad-exception-caught  # not propagated yet
        return 0


if __name__ == "__main__":
    main()
