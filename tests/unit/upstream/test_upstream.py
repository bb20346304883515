"""The upstream pins: one version per name, every pin hashed in go.sum, the roles' defaults on the pins, and a
fetch that refuses what go.sum does not vouch for (go itself is faked here; the integration tests fetch)."""

import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

import upstream
from helpers import ROOT
from localfleet import config


def role_default(role, variable):
    return yaml.safe_load((ROOT / "roles" / role / "defaults/main.yml").read_text())[variable]


def test_every_name_is_required_once_and_hashed():
    required = upstream.required_versions()
    sums = upstream.sums()
    assert {s.module for s in upstream.SOURCES.values()} == set(required)
    for module, version in required.items():
        assert (module, version) in sums, f"{module}@{version} has no go.sum line"


def test_roles_and_the_local_fleet_install_the_pinned_versions():
    assert role_default("argocd_hub", "argocd_hub_version") == upstream.version_of("argo-cd")
    assert role_default("karmada_control_plane", "karmada_control_plane_version") == upstream.version_of("karmada")
    for role in ("submariner_broker", "submariner_join"):
        assert "v" + role_default(role, role + "_version") == upstream.version_of("submariner-operator")
    assert config.VERSIONS["KARMADA_VERSION"] == upstream.version_of("karmada")
    # The canary test runs the controller it builds against the manifest the role installs.
    assert role_default("argo_rollouts", "argo_rollouts_version") == upstream.version_of("argo-rollouts")
    assert config.VERSIONS["ROLLOUTS_VERSION"] == upstream.version_of("argo-rollouts")
    # The local inventory installs Argo CD's objects at the version of the controllers the fleet runs.
    hub_vars = yaml.safe_load((ROOT / "inventories/local/group_vars/role_hub.yml").read_text())
    assert hub_vars["argocd_hub_version"] == config.VERSIONS["ARGOCD_VERSION"]
    assert ("github.com/argoproj/argo-cd/v3", config.VERSIONS["ARGOCD_VERSION"]) in upstream.sums()


def fake_go(monkeypatch, tree, digest):
    def run(cmd, **_kwargs):
        module, _sep, version = cmd[-1].partition("@")
        info = {"Path": module, "Version": version, "Dir": str(tree), "Sum": digest}
        return subprocess.CompletedProcess(cmd, 0, json.dumps(info), "")
    monkeypatch.setattr(upstream.subprocess, "run", run)


def test_fetch_copies_the_layout_once(tmp_path, monkeypatch):
    tree = tmp_path / "module"
    (tree / "config/crd/standard").mkdir(parents=True)
    (tree / "config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml").write_text("kind: CustomResourceDefinition\n")
    tree.chmod(0o555)
    version = upstream.version_of("external-dns")
    fake_go(monkeypatch, tree, upstream.sums()[("sigs.k8s.io/external-dns", version)])
    dest = upstream.fetch("external-dns", root=tmp_path / "cache")
    assert dest == tmp_path / "cache/external-dns" / version
    assert (dest / "crds/dnsendpoints.externaldns.k8s.io.yaml").read_text() == "kind: CustomResourceDefinition\n"
    monkeypatch.setattr(upstream.subprocess, "run", None)  # cached: go is not run again
    assert upstream.fetch("external-dns", root=tmp_path / "cache") == dest


def test_fetches_at_once_fetch_once_and_each_finds_the_files(tmp_path, monkeypatch):
    """Two test workers bringing up their fleets fetch the same version at the same moment: one fetches, the
    other waits for it (without the lock, each removed the other's files while they were being read)."""
    tree = tmp_path / "module"
    (tree / "config/crd/standard").mkdir(parents=True)
    (tree / "config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml").write_text("kind: CustomResourceDefinition\n")
    version = upstream.version_of("external-dns")
    fake_go(monkeypatch, tree, upstream.sums()[("sigs.k8s.io/external-dns", version)])
    runs, real_run = [], upstream.subprocess.run

    def slow_run(cmd, **kwargs):
        runs.append(cmd)
        time.sleep(0.3)
        return real_run(cmd, **kwargs)
    monkeypatch.setattr(upstream.subprocess, "run", slow_run)
    with ThreadPoolExecutor(2) as pool:
        dests = list(pool.map(lambda _i: upstream.fetch("external-dns", root=tmp_path / "cache"), range(2)))
    assert len(runs) == 1
    for dest in dests:
        assert (dest / "crds/dnsendpoints.externaldns.k8s.io.yaml").is_file() and (dest / ".complete").is_file()


def test_a_copy_marked_complete_that_lacks_files_is_fetched_again(tmp_path, monkeypatch):
    tree = tmp_path / "module"
    (tree / "config/crd/standard").mkdir(parents=True)
    (tree / "config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml").write_text("kind: CustomResourceDefinition\n")
    version = upstream.version_of("external-dns")
    fake_go(monkeypatch, tree, upstream.sums()[("sigs.k8s.io/external-dns", version)])
    broken = tmp_path / "cache/external-dns" / version
    broken.mkdir(parents=True)
    (broken / ".complete").write_text("marked, yet empty\n")
    dest = upstream.fetch("external-dns", root=tmp_path / "cache")
    assert (dest / "crds/dnsendpoints.externaldns.k8s.io.yaml").is_file()


def test_fetch_refuses_a_zip_that_differs_from_go_sum(tmp_path, monkeypatch):
    fake_go(monkeypatch, tmp_path, "h1:not-the-pinned-hash=")
    with pytest.raises(upstream.UpstreamError, match="differs from go.sum"):
        upstream.fetch("external-dns", root=tmp_path / "cache")
    assert not (tmp_path / "cache/external-dns").exists()


def test_fetch_refuses_a_version_go_sum_does_not_pin(tmp_path):
    with pytest.raises(upstream.UpstreamError, match="is not pinned"):
        upstream.fetch("argo-cd", "v0.0.1", root=tmp_path)


def test_fetch_names_a_file_the_module_lacks(tmp_path, monkeypatch):
    version = upstream.version_of("external-dns")
    fake_go(monkeypatch, tmp_path, upstream.sums()[("sigs.k8s.io/external-dns", version)])
    with pytest.raises(upstream.UpstreamError, match="has no config/crd/standard"):
        upstream.fetch("external-dns", root=tmp_path / "cache")
    assert not list(tmp_path.rglob("*.partial"))
