"""What the benchmarks share: run one of the collection's playbooks and time it, on a throw-away fleet."""

import json
import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_playbook(playbook, inventory, forks=5, limit=None, extra_vars=None, with_output=False):
    """(wall seconds, changed tasks) of one ansible-playbook run, plus its JSON output if `with_output`;
    a failed run stops the benchmark."""
    cmd = ["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks" / playbook), "-f", str(forks)]
    if limit:
        cmd += ["--limit", limit]
    # one dict, or a list of dicts and "@file" references, each its own -e
    for extra in (extra_vars if isinstance(extra_vars, list) else [extra_vars] if extra_vars else []):
        cmd += ["-e", extra if isinstance(extra, str) else json.dumps(extra)]
    env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if proc.returncode:
        raise SystemExit(f"{playbook} failed:\n{proc.stdout[-3000:]}")
    output = json.loads(proc.stdout[proc.stdout.index("{"):])
    changed = sum(host.get("changed", 0) for host in output["stats"].values())
    return (wall, changed, output) if with_output else (wall, changed)


def local_inventory_copy(scratch, kubeconfig, karmada_kubeconfig=None):
    """inventories/local with its group_vars, pointed at a throw-away fleet and at ../shared beside the checkout."""
    inventory = Path(scratch) / "inventory"
    inventory.mkdir()
    (inventory / "group_vars").mkdir()
    source = (ROOT / "inventories/local/fleet.clusters.yml").read_text()
    (inventory / "fleet.clusters.yml").write_text(source.replace("../../.fleet/kubeconfig", str(kubeconfig)))
    hub_vars = (ROOT / "inventories/local/group_vars/role_hub.yml").read_text()
    hub_vars = hub_vars.replace("{{ inventory_dir }}/../../../shared", str(ROOT.parent / "shared"))
    if karmada_kubeconfig:
        hub_vars = hub_vars.replace("{{ inventory_dir }}/../../.fleet/karmada.kubeconfig", str(karmada_kubeconfig))
    (inventory / "group_vars/role_hub.yml").write_text(hub_vars)
    return inventory
