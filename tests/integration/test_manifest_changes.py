"""manifest_changes against a real API server: a CRD applied once is left out until its content changes, it is
deleted, or the user forces it; every other document is applied each time, unless `held` leaves out what the
cluster holds as last applied; nothing changes on a second run, and a field someone changed is put back."""

import pytest
import yaml

from helpers import INVENTORY, ROOT, fleet_api, run_playbook

PLAYBOOK = ROOT / "tests/integration/playbooks/manifest_changes.yml"
CRD_NAME = "gadgets.manifest-changes.hubspoke.io"


def crd(description):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": CRD_NAME},
            "spec": {"group": "manifest-changes.hubspoke.io", "scope": "Namespaced",
                     "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "description": description,
                         "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}}


CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "manifest-changes"}, "data": {"a": "1"}}


@pytest.fixture(name="manifest")
def fixture_manifest(local_fleet, tmp_path):
    path = tmp_path / "install.yaml"
    yield path
    from kubernetes import client  # pylint: disable=import-outside-toplevel

    api = fleet_api(local_fleet.kubeconfig, "spoke-1")
    for delete in (lambda: client.ApiextensionsV1Api(api).delete_custom_resource_definition(CRD_NAME),
                   lambda: client.CoreV1Api(api).delete_namespaced_config_map("manifest-changes", "default")):
        try:
            delete()
        except client.ApiException:
            pass


def apply(manifest, documents, **extra_vars):
    manifest.write_text(yaml.safe_dump_all(documents))
    run = run_playbook(PLAYBOOK, INVENTORY, extra_vars={"target": "spoke-1", "manifest": str(manifest), **extra_vars})
    assert run.rc == 0, run.stdout
    return run, run.results("Find the documents to apply")["spoke-1"]


def test_a_crd_applied_once_is_left_out_until_it_changes(local_fleet, manifest):
    first, found = apply(manifest, [crd("one"), CONFIG_MAP])
    assert [d["kind"] for d in found["definitions"]] == ["CustomResourceDefinition", "ConfigMap"]
    assert first.changed == 1

    again, found = apply(manifest, [crd("one"), CONFIG_MAP])
    assert [d["kind"] for d in found["definitions"]] == ["ConfigMap"]
    assert found["unchanged"] == ["CustomResourceDefinition/" + CRD_NAME]
    assert again.changed == 0

    changed, found = apply(manifest, [crd("two"), CONFIG_MAP])
    assert [d["kind"] for d in found["definitions"]] == ["CustomResourceDefinition", "ConfigMap"]
    assert changed.changed == 1

    _run, found = apply(manifest, [crd("two"), CONFIG_MAP], force=True)
    assert [d["kind"] for d in found["definitions"]] == ["CustomResourceDefinition", "ConfigMap"]


def test_a_deleted_crd_is_applied_again_and_any_kind_can_be_compared(local_fleet, manifest):
    from kubernetes import client  # pylint: disable=import-outside-toplevel

    apply(manifest, [crd("one"), CONFIG_MAP])
    client.ApiextensionsV1Api(fleet_api(local_fleet.kubeconfig, "spoke-1")).delete_custom_resource_definition(CRD_NAME)
    _run, found = apply(manifest, [crd("one"), CONFIG_MAP])
    assert [d["kind"] for d in found["definitions"]] == ["CustomResourceDefinition", "ConfigMap"]

    kinds = ["CustomResourceDefinition", "ConfigMap"]
    apply(manifest, [crd("one"), CONFIG_MAP], kinds=kinds)
    _run, found = apply(manifest, [crd("one"), CONFIG_MAP], kinds=kinds)  # namespaced: read in `namespace`
    assert found["definitions"] == [] and len(found["unchanged"]) == 2


def test_a_kind_the_cluster_does_not_serve_yet_is_returned(local_fleet, manifest):
    gadget = {"apiVersion": "manifest-changes.hubspoke.io/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    manifest.write_text(yaml.safe_dump_all([gadget]))
    run = run_playbook(PLAYBOOK, INVENTORY, extra_vars={"target": "spoke-1", "manifest": str(manifest),
                                                        "kinds": ["Gadget"]}, check=True)
    assert run.results("Find the documents to apply")["spoke-1"]["definitions"][0]["kind"] == "Gadget"


def test_held_applies_nothing_a_second_time_and_puts_back_a_changed_field(local_fleet, manifest):
    from kubernetes import client  # pylint: disable=import-outside-toplevel

    first, found = apply(manifest, [crd("one"), CONFIG_MAP], held=True)
    assert [d["kind"] for d in found["definitions"]] == ["CustomResourceDefinition", "ConfigMap"]
    assert first.changed == 1

    again, found = apply(manifest, [crd("one"), CONFIG_MAP], held=True)
    assert found["definitions"] == [] and len(found["unchanged"]) == 2
    assert again.changed == 0

    core = client.CoreV1Api(fleet_api(local_fleet.kubeconfig, "spoke-1"))
    core.patch_namespaced_config_map("manifest-changes", "default", {"data": {"a": "someone else's"}})
    put_back, found = apply(manifest, [crd("one"), CONFIG_MAP], held=True)
    assert [d["kind"] for d in found["definitions"]] == ["ConfigMap"] and put_back.changed == 1
    assert core.read_namespaced_config_map("manifest-changes", "default").data == {"a": "1"}

    upgraded = dict(CONFIG_MAP, data={"b": "2"})  # a new manifest: the apply removes the field it no longer has
    _run, found = apply(manifest, [crd("one"), upgraded], held=True)
    assert [d["kind"] for d in found["definitions"]] == ["ConfigMap"]
    assert core.read_namespaced_config_map("manifest-changes", "default").data == {"b": "2"}
