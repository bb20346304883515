"""The fleet compliance report against the serial kubectl loop that reads the same Constraints, in one run (issue 18).

On a throw-away fleet (N spokes, one KWOK node each, its own folder and port range), Gatekeeper's manager runs
beside every spoke (auditing every 300 s, so that audits of many spokes do not load the cores the commands
share) and playbooks/governance.yml installs the example inventory's production policies
(inventories/examples/governance). Then, medians of `--runs` runs of the whole command, wall time and CPU:
  - `for ctx in ...; do kubectl --context=$ctx get constraints -o json; done` over the spokes;
  - `ansible-playbook playbooks/compliance_report.yml` (hubspoke.multicluster.gatekeeper_report run once);
  - an empty play over the same hosts.
  .venv/bin/python benchmarks/compliance_report.py [--spokes 8] [--runs 3]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet_speed import median, playbook, write_play  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spokes", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port-base", default="25000")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(FLEET_DIR=scratch, FLEET_PORT_BASE=args.port_base, FLEET_NODES="1",
                          FLEET_GATEKEEPER_AUDIT_INTERVAL="300")
        from localfleet import config, fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_* at import

        spokes = [f"spoke-{i}" for i in range(1, args.spokes + 1)]
        try:
            fleet.up(args.spokes, gatekeeper=spokes)
            kubeconfig = config.KUBECONFIG
            inventory = Path(scratch) / "governance"
            (inventory / "group_vars/all").mkdir(parents=True)
            example = ROOT / "inventories/examples/governance"
            (inventory / "fleet.clusters.yml").write_text(json.dumps({
                "plugin": "hubspoke.multicluster.clusters",
                "sources": [{"type": "kubeconfig", "name": "bench", "path": str(kubeconfig),
                             "labels": {"role": "spoke", "environment": "production"},
                             "context_labels": {"hub": {"role": "hub"}}}]}))
            shutil.copy(example / "group_vars/env_production.yml", inventory / "group_vars/env_production.yml")
            local = (ROOT / "inventories/local/group_vars/all.yml").read_text()
            (inventory / "group_vars/all/local.yml").write_text(local.replace(
                "{{ (inventory_dir ~ '/../../.fleet') | ansible.builtin.realpath }}", scratch))
            forks = ["-f", str(args.spokes)]
            median(["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks/governance.yml"), *forks], 1)
            kubectl = config.binary("kubectl")
            loop = (f"for ctx in {' '.join(spokes)}; do "
                    f"{kubectl} --kubeconfig {kubeconfig} --context=$ctx get constraints -o json >/dev/null; done")
            noop = write_play(scratch, "noop", [{"meta": "noop"}])
            rows = [
                ("kubectl loop, get constraints -o json", median(loop, args.runs)),
                ("compliance_report.yml (gatekeeper_report run once)",
                 median(["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks/compliance_report.yml"),
                         *forks], args.runs)),
                ("empty play", median(playbook(inventory, noop, args.spokes) + ["-l", "role_spoke"], args.runs)),
            ]
        finally:
            fleet.down()
    base = rows[0][1][0]
    print(f"{args.spokes} spokes with Gatekeeper and the example production policies (4 Constraints) each, medians of {args.runs}; "
          "ratio: kubectl loop / this")
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {base / wall:.2f}x |")


if __name__ == "__main__":
    main()
