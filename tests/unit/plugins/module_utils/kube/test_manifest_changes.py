"""Which documents of a manifest still need applying: a compared kind is left out only when the cluster holds its
digest; everything else is applied, unless `held` leaves out what the cluster holds as last applied, field for field."""

import datetime

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import applied, manifest_changes
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.applied import DIGEST_ANNOTATION
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.manifest_changes import ManifestError

CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com", "annotations": {"keep": "me"}}, "spec": {"group": "example.com"}}
SA = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "server"}}


def test_the_digest_is_of_the_content_and_ignores_its_own_annotation():
    stamped = applied.stamped(CRD)
    assert stamped["metadata"]["annotations"]["keep"] == "me"
    assert applied.digest(stamped) == applied.digest(CRD) == \
        stamped["metadata"]["annotations"][DIGEST_ANNOTATION]
    changed = dict(CRD, spec={"group": "example.org"})
    assert applied.digest(changed) != applied.digest(CRD)
    assert "annotations" not in SA["metadata"] and CRD["metadata"]["annotations"] == {"keep": "me"}  # not mutated


def on_cluster(*documents):
    """live_at() of a cluster holding these objects (each a kind's only one)."""
    return lambda doc, _metadata_only: {d["metadata"]["name"]: d for d in documents if d["kind"] == doc["kind"]}


def with_digest(document, value):
    return dict(document, metadata=dict(document["metadata"], annotations={DIGEST_ANNOTATION: value}))


def test_a_compared_document_is_left_out_only_when_the_cluster_holds_its_digest():
    held = with_digest(CRD, applied.digest(CRD))
    selected, unchanged = applied.to_apply([CRD, SA], {"CustomResourceDefinition"}, on_cluster(held))
    assert selected == [SA] and unchanged == ["CustomResourceDefinition/widgets.example.com"]

    for cluster in (on_cluster(), on_cluster(CRD), on_cluster(with_digest(CRD, "an older digest"))):
        selected, unchanged = applied.to_apply([CRD, SA], {"CustomResourceDefinition"}, cluster)
        assert selected == [applied.stamped(CRD), SA] and unchanged == []


def test_held_leaves_out_the_objects_the_cluster_holds_as_applied_and_applies_the_others():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "server"},
                  "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "s", "image": "a:1"}]}}}}
    last_applied = applied.stamped(deployment)
    # What the API server lists after the apply: the fields it fills in beside the document's, no apiVersion or kind.
    live = dict(applied.body(last_applied), kind="Deployment", metadata=dict(last_applied["metadata"], uid="u1"),
                spec=dict(last_applied["spec"], paused=False), status={"readyReplicas": 1})
    selected, unchanged = applied.to_apply([deployment], set(), on_cluster(live), held=True)
    assert selected == [] and unchanged == ["Deployment/server"]

    someone_scaled = dict(live, spec=dict(live["spec"], replicas=3))
    upgraded = dict(deployment, spec=dict(deployment["spec"], replicas=1, minReadySeconds=5))
    for manifest, cluster in (([deployment], on_cluster(someone_scaled)),  # drift: put back
                              ([upgraded], on_cluster(live)),  # another manifest: its apply may remove fields
                              ([deployment], on_cluster())):  # not there yet
        selected, unchanged = applied.to_apply(manifest, set(), cluster, held=True)
        assert selected == [applied.stamped(manifest[0])] and unchanged == []


def test_two_sets_of_documents_of_one_object_are_each_held_by_their_own_annotation():
    upstream = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-cm", "labels": {"app": "argocd"}}}
    settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-cm"}, "data": {"a": "1"}}
    # The object after both applies: each field manager's fields, and each one's digest in its own annotation.
    first, second = applied.stamped(upstream), applied.stamped(settings, "example.io/settings-digest")
    live = dict(settings, metadata=dict(upstream["metadata"], annotations=dict(
        first["metadata"]["annotations"], **second["metadata"]["annotations"])))
    assert applied.to_apply([upstream], set(), on_cluster(live), held=True) == ([], ["ConfigMap/argocd-cm"])
    assert applied.to_apply([settings], set(), on_cluster(live), held=True,
                            annotation="example.io/settings-digest") == ([], ["ConfigMap/argocd-cm"])
    changed = dict(settings, data={"a": "2"})
    assert applied.to_apply([changed], set(), on_cluster(live), held=True, annotation="example.io/settings-digest") == \
        ([applied.stamped(changed, "example.io/settings-digest")], [])


def test_force_returns_everything_without_reading_the_cluster():
    result = manifest_changes.changes(None, [CRD, SA], {"CustomResourceDefinition"}, force=True)
    assert result == {"definitions": [applied.stamped(CRD), SA], "unchanged": []}
    result = manifest_changes.changes(None, [CRD, SA], {"CustomResourceDefinition"}, force=True, held=True)
    assert result["definitions"] == [applied.stamped(CRD), applied.stamped(SA)]


def test_a_manifest_file_is_read_and_each_document_checked(tmp_path):
    good = tmp_path / "install.yaml"
    good.write_text("---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: server}\n---\n---\n"
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n")
    assert [d["kind"] for d in manifest_changes.load(str(good))] == ["ServiceAccount", "ConfigMap"]
    nameless = tmp_path / "nameless.yaml"
    nameless.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    with pytest.raises(ManifestError, match=r"nameless.yaml: document 1 needs apiVersion, kind and metadata.name"):
        manifest_changes.load(str(nameless))
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [b\n")
    with pytest.raises(ManifestError, match="is not valid YAML"):
        manifest_changes.load(str(broken))
    with pytest.raises(ManifestError, match="cannot read .*absent.yaml"):
        manifest_changes.load(str(tmp_path / "absent.yaml"))
    # Several files in one read, in their order; one that cannot be read names itself.
    assert [d["metadata"]["name"] for d in manifest_changes.load_all([str(good), str(good)])] == ["server", "cm"] * 2
    assert manifest_changes.load_all(str(good)) == manifest_changes.load(str(good))
    with pytest.raises(ManifestError, match="cannot read .*absent.yaml"):
        manifest_changes.load_all([str(good), str(tmp_path / "absent.yaml")])


def test_a_large_manifest_is_read_from_its_parsed_copy_the_second_time(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(manifest_changes, "PARSED_COPY_BYTES", 10)
    big = tmp_path / "install.yaml"
    big.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '1'}\n")
    first = manifest_changes.load(str(big))
    copies = list((tmp_path / "cache/hubspoke-multicluster/manifests").iterdir())
    assert len(copies) == 1 and copies[0].stat().st_mode & 0o077 == 0

    monkeypatch.setattr(manifest_changes.yaml, "load_all", lambda *_a, **_k: pytest.fail("parsed again"))
    assert manifest_changes.load(str(big)) == first
    big.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")  # another text: parsed
    with pytest.raises(BaseException, match="parsed again"):
        manifest_changes.load(str(big))


def test_documents_json_cannot_hold_exactly_are_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(manifest_changes, "PARSED_COPY_BYTES", 10)
    dated = tmp_path / "dated.yaml"
    dated.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {1: 2020-01-01}\n")
    assert manifest_changes.load(str(dated))[0]["data"] == {1: datetime.date(2020, 1, 1)}
    copies = tmp_path / "cache/hubspoke-multicluster/manifests"
    assert not copies.exists() or not list(copies.iterdir())
