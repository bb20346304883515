"""Failover with Argo CD really syncing: the time to recovery (from the start of failover.yml to the standby
running every replica Available, Argo CD reporting it Synced and Healthy, and DNS switched), with the
primary's API server dead; then failback, and second runs of both.

Runs a throw-away fleet (hub + 2 spokes + Argo CD's controllers) in its own folder and port range:
  .venv/bin/python benchmarks/failover_rto.py
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import upstream  # noqa: E402  # pylint: disable=wrong-import-position
from benchmarks.playbook_run import timed_playbook  # noqa: E402  # pylint: disable=wrong-import-position


def report(output):
    """The failover role's closing report: the time to recovery line, then one line per step."""
    for play in output["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"].endswith("Report the steps and the time to recovery"):
                return task["hosts"]["localhost"]["msg"]
    raise SystemExit("no report in the playbook output")


def main():
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(FLEET_DIR=scratch, FLEET_PORT_BASE="26000")
        import subprocess  # pylint: disable=import-outside-toplevel

        from localfleet import config, demo_app, fleet  # pylint: disable=import-outside-toplevel  # reads FLEET_*

        fleet.ensure_built("argocd")
        try:
            fleet.up(2, argocd=True)
            kubectl = [str(config.binary("kubectl")), "--kubeconfig", str(config.KUBECONFIG), "--context", "hub"]
            dnsendpoint_crd = upstream.fetch("external-dns") / "crds/dnsendpoints.externaldns.k8s.io.yaml"
            subprocess.run([*kubectl, "apply", "-f", str(dnsendpoint_crd)], check=True, capture_output=True)
            repo = config.GIT_DIR / "apps.git"
            demo_app.seed_repository(repo)
            extra = "@" + str(demo_app.write_vars(Path(scratch) / "vars.yml", repo))
            inventory = fleet.local_inventory()
            site = timed_playbook("site.yml", inventory, extra_vars=[extra])
            dr = {"failover_applications": ["web"]}
            establish = timed_playbook("failback.yml", inventory, extra_vars=[extra, dict(dr, failover_confirm="spoke-1")])
            fleet.stop("spoke-1")
            over = timed_playbook("failover.yml", inventory, extra_vars=[extra, dict(dr, failover_confirm="spoke-2")],
                                  with_output=True)
            over_again = timed_playbook("failover.yml", inventory,
                                        extra_vars=[extra, dict(dr, failover_confirm="spoke-2")])
            started = time.monotonic()
            fleet.start("spoke-1")
            primary_back = time.monotonic() - started
            back = timed_playbook("failback.yml", inventory, extra_vars=[extra, dict(dr, failover_confirm="spoke-1")],
                                  with_output=True)
            back_again = timed_playbook("failback.yml", inventory,
                                        extra_vars=[extra, dict(dr, failover_confirm="spoke-1")])
        finally:
            fleet.down()

    print(f"failover of web (3 replicas, gitops mode, Argo CD {config.VERSIONS['ARGOCD_VERSION']} controllers), "
          "spoke-1 -> spoke-2, hub + 2 spokes")
    print(f"site.yml (Argo CD, registration, ApplicationSet): {site[0]:5.1f} s")
    print(f"failback with traffic already home (DNS record):  {establish[0]:5.1f} s  changed {establish[1]}")
    print(f"failover, primary API server dead:                {over[0]:5.1f} s  changed {over[1]}")
    for line in report(over[2]):
        print(f"    {line}")
    print(f"failover again (no change):                       {over_again[0]:5.1f} s  changed {over_again[1]}")
    print(f"primary cluster restarted:                        {primary_back:5.1f} s")
    print(f"failback:                                         {back[0]:5.1f} s  changed {back[1]}")
    for line in report(back[2]):
        print(f"    {line}")
    print(f"failback again (no change):                       {back_again[0]:5.1f} s  changed {back_again[1]}")


if __name__ == "__main__":
    main()
