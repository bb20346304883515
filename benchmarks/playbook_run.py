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
