"""kubeconfig files merged once per run and read again when they change (fleets whose kubeconfig is rewritten
by a registration or a rotation during a run)."""

import os

import yaml

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import kubeconfig_files


def write(path, servers, mtime_ns):
    path.write_text(yaml.safe_dump({
        "clusters": [{"name": name, "cluster": {"server": server}} for name, server in servers.items()],
        "users": [{"name": "admin", "user": {"token": "t"}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": "admin"}} for name in servers]}))
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_every_context_of_one_file_is_merged_from_one_read(tmp_path):
    path = tmp_path / "config"
    write(path, {"a": "https://a:6443", "b": "https://b:6443"}, 1_000_000_000)
    merged = kubeconfig_files.merge([str(path)])
    assert kubeconfig_files.merge([str(path)]) is merged
    assert kubeconfig_files.minify([str(path)], "b")["clusters"][0]["cluster"]["server"] == "https://b:6443"


def test_a_changed_file_is_merged_again(tmp_path):
    path = tmp_path / "config"
    write(path, {"a": "https://a:6443"}, 1_000_000_000)
    assert kubeconfig_files.minify([str(path)], "a")["clusters"][0]["cluster"]["server"] == "https://a:6443"
    write(path, {"a": "https://moved:6443"}, 2_000_000_000)
    assert kubeconfig_files.minify([str(path)], "a")["clusters"][0]["cluster"]["server"] == "https://moved:6443"
    # The module server outlives runs: a rewritten file replaces what was kept of it, it does not pile up.
    kept = kubeconfig_files._PARSED, kubeconfig_files._MERGED  # pylint: disable=protected-access
    assert [stamp for stamp, _doc in kept[0].values() if stamp[0] == str(path)] == [kubeconfig_files._stamp(str(path))]
    assert [stamps for stamps, _merged in kept[1].values() if stamps[0][0] == str(path)] == [
        (kubeconfig_files._stamp(str(path)),)]  # pylint: disable=protected-access
