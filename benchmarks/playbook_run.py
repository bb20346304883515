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


def local_inventory_copy(scratch, fleet_dir):
    """inventories/local with its group_vars, pointed at a throw-away fleet in `fleet_dir` instead of .fleet."""
    inventory = Path(scratch) / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    for name in ("fleet.clusters.yml", "group_vars/role_hub.yml"):
        text = (ROOT / "inventories/local" / name).read_text()
        text = text.replace("{{ inventory_dir }}/../../.fleet", str(fleet_dir)).replace("../../.fleet", str(fleet_dir))
        (inventory / name).write_text(text)
    return inventory
