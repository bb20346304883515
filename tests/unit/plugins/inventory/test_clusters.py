"""The inventory plugin's pure parts: file names it accepts, source validation, the lookup template."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.inventory.clusters import InventoryModule
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.inventory import kubeconfig_lookup, normalize_sources
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError


@pytest.mark.parametrize("name,accepted", [
    ("fleet.clusters.yml", True),
    ("fleet.clusters.yaml", True),
    ("fleet.yml", False),
    ("clusters.yml", False),
    ("fleet.clusters.json", False),
])
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: hubspoke.multicluster.clusters\n")
    assert bool(InventoryModule().verify_file(str(path))) is accepted


def test_sources_get_unique_names_and_resolved_paths(tmp_path):
    sources = normalize_sources([{"type": "kubeconfig", "path": "kube/config"},
                                 {"type": "argocd", "kubeconfig": "/abs/hub"},
                                 {"type": "argocd", "kubeconfig": "rel/hub"}], str(tmp_path))
    assert [s["name"] for s in sources] == ["kubeconfig", "argocd_1", "argocd_2"]
    assert sources[0]["path"] == [str(tmp_path / "kube/config")]
    assert sources[1]["kubeconfig"] == "/abs/hub"
    assert sources[2]["kubeconfig"] == str(tmp_path / "rel/hub")


@pytest.mark.parametrize("sources,message", [
    ([], "`sources` must be a non-empty list"),
    ([{"type": "eks"}], r"sources\[0\].type must be one of argocd, capi, karmada, kubeconfig, ocm, static"),
    ([{"type": "static", "name": "a"}, {"type": "ocm", "name": "a"}], r"sources\[1\].name 'a' is used twice"),
])
def test_bad_sources_are_clear_errors(sources, message):
    with pytest.raises(ClusterInventoryError, match=message):
        normalize_sources(sources, "/")


def test_lookup_template_has_no_secret_and_no_null():
    template = kubeconfig_lookup({"kind": "argocd", "namespace": "argocd", "name": "cluster-a",
                                  "hub": {"kubeconfig": "/k", "context": None}})
    assert template == ("{{ lookup('hubspoke.multicluster.cluster_kubeconfig', {'kind': 'argocd', "
                        "'namespace': 'argocd', 'name': 'cluster-a', 'hub': {'kubeconfig': '/k'}}) }}")
