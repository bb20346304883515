"""Sources that need no API: kubeconfig files and static lists, including their error messages."""

import pytest
import yaml

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.kubeconfig_files import KubeconfigError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.sources import kubeconfig, static

KUBECONFIG = {
    "apiVersion": "v1", "kind": "Config",
    "clusters": [{"name": c, "cluster": {"server": "https://{0}.example.com:6443".format(c)}}
                 for c in ("prod-hz", "prod-sh", "staging")],
    "users": [{"name": "admin", "user": {"token": "secret-token"}}],
    "contexts": [{"name": c, "context": {"cluster": c, "user": "admin"}} for c in ("prod-hz", "prod-sh", "staging")],
}


def write(tmp_path, doc, name="config"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return str(path)


def never(message):
    raise AssertionError("unexpected warning: " + message)


def test_contexts_become_clusters_with_labels(tmp_path):
    path = write(tmp_path, KUBECONFIG)
    found = kubeconfig.read({"name": "seed", "path": [path], "contexts": ["prod-*"], "labels": {"tier": "1"},
                             "context_labels": {"prod-hz": {"region": "cn-hangzhou"}}}, never)
    assert [c["name"] for c in found] == ["prod-hz", "prod-sh"]
    assert found[0]["labels"] == {"tier": "1", "region": "cn-hangzhou"}
    assert found[0]["connection"] == {"kubeconfig": path, "context": "prod-hz"}
    assert "secret-token" not in repr(found)


@pytest.mark.parametrize("content,message", [
    ("clusters: [\n", "is not valid YAML"),
    ("- just a list\n", "expected a mapping at the top level"),
    ({"clusters": {"a": 1}}, "`clusters` must be a list"),
    ({"clusters": [], "contexts": [{"name": "x"}]}, "contexts[0] needs `name` and a `context` mapping"),
])
def test_malformed_kubeconfig_names_file_and_key(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(KubeconfigError) as err:
        kubeconfig.read({"name": "seed", "path": [path]}, never)
    assert path in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("broken,message", [
    ({"name": "x", "context": {"cluster": "gone"}}, "context 'x' of {path}: it names cluster 'gone', which is not in"),
    ({"name": "x", "context": {"cluster": "empty"}}, "context 'x' of {path}: clusters['empty'].cluster.server is missing"),
])
def test_a_broken_context_is_skipped_with_a_warning_and_the_others_load(tmp_path, broken, message):
    doc = dict(KUBECONFIG, clusters=KUBECONFIG["clusters"] + [{"name": "empty", "cluster": {}}],
               contexts=KUBECONFIG["contexts"] + [broken])
    path = write(tmp_path, doc)
    warnings = []
    found = kubeconfig.read({"name": "seed", "path": [path]}, warnings.append)
    assert [c["name"] for c in found] == ["prod-hz", "prod-sh", "staging"]
    assert len(warnings) == 1 and warnings[0].startswith("skipping " + message.format(path=path))


def test_missing_kubeconfig_names_the_file(tmp_path):
    with pytest.raises(KubeconfigError, match="kubeconfig .*/nope: No such file"):
        kubeconfig.read({"name": "seed", "path": [str(tmp_path / "nope")]}, never)


def test_static_clusters():
    found = static.read({"name": "static", "labels": {"a": "1"},
                         "clusters": [{"name": "edge-1", "server": "https://e1:6443", "labels": {"b": "2"}}]}, never)
    assert found[0]["labels"] == {"a": "1", "b": "2"} and found[0]["server"] == "https://e1:6443"


@pytest.mark.parametrize("entry,message", [
    ({"server": "https://x"}, "skipping clusters[0]: it needs a `name`"),
    ({"name": "x", "labels": {1: "a"}}, "skipping clusters[0]: cluster x: label key 1 is not a string (it is a number): quote it"),
    ({"name": "x", "labels": {"version": 1.3}},
     "skipping clusters[0]: cluster x: label 'version' has the value 1.3, which is not a string (it is a number): quote it"),
])
def test_a_bad_static_entry_is_skipped_by_name(entry, message):
    warnings = []
    found = static.read({"name": "static", "clusters": [entry, {"name": "ok", "server": "https://ok"}]},
                        warnings.append)
    assert [c["name"] for c in found] == ["ok"] and warnings == [message]
