"""The shipped artifact on its own: built with ansible-galaxy, installed into an empty collections path (not the
checkout's link), and `hubspoke.multicluster.site`, the playbook by its FQCN, run from there against the fleet
with kubernetes.core from the virtualenv. It does what the checkout does: Argo CD on the hub, every spoke
registered with its labels, the ApplicationSet applied; a second run changes nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import INVENTORY, ROOT, as_argocd, delete_namespace, run_playbook


@pytest.fixture(name="installed")
def fixture_installed(local_fleet, tmp_path):
    """An environment whose only hubspoke.multicluster is the one installed from the built artifact."""
    subprocess.run(["ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (artifact,) = tmp_path.glob("hubspoke-multicluster-*.tar.gz")
    collections = tmp_path / "collections"
    site_packages = Path(sys.executable).parent.parent / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    env = {"ANSIBLE_COLLECTIONS_PATH": f"{collections}:{site_packages}"}
    # --no-deps: kubernetes.core comes from the virtualenv's ansible package (no Galaxy on this machine). The
    # environment leaves out the checkout's link, which ansible-galaxy would count as installed already.
    subprocess.run(["ansible-galaxy", "collection", "install", "--no-deps", "-p", str(collections), str(artifact)],
                   check=True, capture_output=True, env={**os.environ, **env})
    listed = subprocess.run(["ansible-galaxy", "collection", "list", "hubspoke.multicluster"], capture_output=True,
                            text=True, check=True, env={**os.environ, **env}).stdout
    assert str(collections) in listed and str(ROOT) not in listed, listed
    yield {"env": env, "cwd": tmp_path}
    run_playbook("hubspoke.multicluster.deregister", INVENTORY, env=env, cwd=tmp_path)
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "argocd")


def test_the_installed_artifact_runs_site(installed, local_fleet):
    first = run_playbook("hubspoke.multicluster.site", INVENTORY, **installed)
    assert first.rc == 0 and first.failed == 0, first.stdout
    registered = {as_argocd(s)[1]["name"]: s for s in local_fleet.argocd_secrets().values()}
    assert set(registered) == set(local_fleet.spokes)
    assert registered["spoke-1"].metadata.labels["region"] == "cn-hangzhou"
    assert "argocd-server" in {d.metadata.name for d in local_fleet.apps(local_fleet.hub).list_namespaced_deployment(
        "argocd").items}
    again = run_playbook("hubspoke.multicluster.site", INVENTORY, **installed)
    assert again.rc == 0 and again.changed == 0, again.stdout
