"""Which documents of a manifest still need applying: a compared kind is left out only when the cluster holds its
digest; everything else is always applied."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import manifest_changes
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.manifest_changes import (
    DIGEST_ANNOTATION,
    ManifestError,
)

CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com", "annotations": {"keep": "me"}}, "spec": {"group": "example.com"}}
SA = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "server"}}


def test_the_digest_is_of_the_content_and_ignores_its_own_annotation():
    stamped = manifest_changes.stamped(CRD)
    assert stamped["metadata"]["annotations"]["keep"] == "me"
    assert manifest_changes.digest(stamped) == manifest_changes.digest(CRD) == \
        stamped["metadata"]["annotations"][DIGEST_ANNOTATION]
    changed = dict(CRD, spec={"group": "example.org"})
    assert manifest_changes.digest(changed) != manifest_changes.digest(CRD)
    assert "annotations" not in SA["metadata"] and CRD["metadata"]["annotations"] == {"keep": "me"}  # not mutated


def test_a_compared_document_is_left_out_only_when_the_cluster_holds_its_digest():
    held = {CRD["metadata"]["name"]: manifest_changes.digest(CRD)}
    selected, unchanged = manifest_changes.to_apply([CRD, SA], {"CustomResourceDefinition"}, lambda _doc: held)
    assert selected == [SA] and unchanged == ["CustomResourceDefinition/widgets.example.com"]

    for cluster in ({}, {CRD["metadata"]["name"]: None}, {CRD["metadata"]["name"]: "an older digest"}):
        selected, unchanged = manifest_changes.to_apply([CRD, SA], {"CustomResourceDefinition"}, lambda _d, c=cluster: c)
        assert selected == [manifest_changes.stamped(CRD), SA] and unchanged == []


def test_force_returns_everything_without_reading_the_cluster():
    result = manifest_changes.changes(None, [CRD, SA], {"CustomResourceDefinition"}, force=True)
    assert result == {"definitions": [manifest_changes.stamped(CRD), SA], "unchanged": []}


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
