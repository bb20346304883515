"""The fleet's layout: distinct ports and CIDRs per cluster, and the overlap option for preflight tests."""

import ipaddress

import pytest

from localfleet import config
from localfleet.argocd import ArgoCDControllers, plane_name
from localfleet.capi import ClusterAPI


def test_clusters_get_distinct_ports_and_ranges():
    specs = config.fleet_specs(3)
    assert [s.name for s in specs] == ["hub", "spoke-1", "spoke-2", "spoke-3"]
    components = ("apiserver", "etcd", "etcd_peer", "controller_manager", "scheduler", "kwok")
    ports = [s.port(c) for s in specs for c in components]
    assert len(ports) == len(set(ports))
    networks = [ipaddress.ip_network(cidr) for s in specs for cidr in (s.service_cidr, s.pod_cidr)]
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1:])


def test_overlap_gives_the_second_cluster_the_first_ones_ranges():
    specs = {s.name: s for s in config.fleet_specs(2, overlap=("spoke-1", "spoke-2"))}
    assert specs["spoke-2"].service_cidr == specs["spoke-1"].service_cidr
    assert specs["spoke-2"].pod_cidr == specs["spoke-1"].pod_cidr
    assert specs["spoke-2"].port("apiserver") != specs["spoke-1"].port("apiserver")


@pytest.mark.parametrize("overlap", [("spoke-1",), ("spoke-1", "spoke-9"), ("a", "b", "c")])
def test_overlap_must_name_two_existing_clusters(overlap):
    with pytest.raises(ValueError, match="overlap must name two of"):
        config.fleet_specs(2, overlap=overlap)


def test_service_ip_is_the_first_address_of_the_range():
    assert config.fleet_specs(0)[0].service_ip == "10.96.0.1"


def test_versions_are_pinned_in_one_file():
    versions = config.read_versions()
    assert set(versions) >= {"KUBERNETES_VERSION", "ETCD_VERSION", "KWOK_VERSION"}
    assert config.binary("kube-apiserver").parent.name == f"kubernetes-{versions['KUBERNETES_VERSION']}"
    assert config.binary("kwok").parent.name == f"kwok-{versions['KWOK_VERSION']}"
    assert config.binary("kustomize").parent.name == f"kustomize-{versions['KUSTOMIZE_VERSION']}"
    assert config.binary("helm").parent.name == f"helm-{versions['HELM_VERSION']}"
    assert config.binary("rollouts-controller").parent.name == f"rollouts-{versions['ROLLOUTS_VERSION']}"


def test_a_build_is_missing_until_all_its_binaries_are_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path)
    for name in ("kube-apiserver", "kwok", "argocd"):
        config.binary(name).parent.mkdir(parents=True, exist_ok=True)
        config.binary(name).touch()
        config.binary(name).with_name(".complete").touch()
    assert config.missing_builds(["argocd"]) == ["argocd"]  # a cache from before kustomize joined its build
    for name in ("kustomize", "helm"):  # and before helm did
        assert config.missing_builds(["argocd"]) == ["argocd"]
        config.binary(name).parent.mkdir(parents=True)
        config.binary(name).touch()
        config.binary(name).with_name(".complete").touch()
    assert not config.missing_builds(["argocd"])


def test_planes_ports_clear_of_twenty_spokes_and_each_other():
    """Karmada, Cluster API, an Argo CD instance beside every cluster, and Gatekeepers: no port twice."""
    offsets = config._PORT_OFFSETS  # pylint: disable=protected-access
    argocd = [ArgoCDControllers(s).spec.port(c) for s in config.fleet_specs(20) for c in offsets if c.startswith("argocd_")]
    argocd += [ClusterAPI(config.fleet_specs(0)[0]).spec.port(c) for c in offsets if c.startswith("capi_")]
    karmada = [config.karmada_spec().port(c) for c in offsets if not c.startswith(("argocd_", "gatekeeper_", "capi_"))]
    assert len(karmada + argocd) == len(set(karmada + argocd))
    spoke_ports = {s.port(c) for s in config.fleet_specs(20) for c in ("apiserver", "etcd", "etcd_peer", "kwok")}
    assert not spoke_ports & set(karmada + argocd)
    gatekeeper = [s.port(c) for s in config.fleet_specs(20) for c in offsets if c.startswith("gatekeeper_")]
    assert len(gatekeeper) == len(set(gatekeeper)) and not set(gatekeeper) & (spoke_ports | set(karmada + argocd))
    assert config.binary("karmada-webhook").parent.name == f"karmada-{config.read_versions()['KARMADA_VERSION']}"
    assert config.binary("argocd").parent.name == f"argocd-{config.read_versions()['ARGOCD_VERSION']}"


def test_argocd_instances_are_named_by_their_cluster():
    hub, spoke = config.fleet_specs(1)
    assert (plane_name(hub), plane_name(spoke)) == ("argocd", "argocd@spoke-1")
    assert ArgoCDControllers(spoke).dir == spoke.directory / "argocd"


def test_planes_are_not_fleet_clusters(tmp_path):
    config.karmada_spec().save()
    hub = config.fleet_specs(1)[0]
    hub.save()
    (ArgoCDControllers(hub).dir / "run").mkdir(parents=True)
    assert [s.name for s in config.existing_specs()] == ["hub"]
