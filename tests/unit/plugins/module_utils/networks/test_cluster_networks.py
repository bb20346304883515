"""Where a cluster's ranges are read from, and which pairs overlap (the fleet proves the reads: integration)."""

from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleFilterError
from kubernetes.client.exceptions import ApiException

from ansible_collections.hubspoke.multicluster.plugins.filter.cidr_overlaps import cidr_overlaps
from ansible_collections.hubspoke.multicluster.plugins.module_utils.networks.cluster_networks import (
    collapse,
    kubeadm_networks,
    read_networks,
)


def test_node_ranges_collapse_into_the_cluster_range():
    assert collapse(["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24"]) == ["10.244.0.0/22"]
    assert collapse(["fd00::/64", "10.0.0.0/24"]) == ["10.0.0.0/24", "fd00::/64"]


def test_kubeadm_cluster_configuration_dual_stack():
    configmap = {"data": {"ClusterConfiguration": "networking:\n  podSubnet: 10.244.0.0/16,fd00:10::/56\n"
                                                  "  serviceSubnet: 10.96.0.0/12\n"}}
    assert kubeadm_networks(configmap) == (["10.244.0.0/16", "fd00:10::/56"], ["10.96.0.0/12"])
    assert kubeadm_networks(None) == ([], [])


def test_overlaps_name_both_clusters_and_ranges_across_pod_and_service():
    networks = {"hz": {"pod_cidrs": ["10.244.0.0/16"], "service_cidrs": ["10.96.0.0/12"]},
                "sh": {"pod_cidrs": ["10.244.128.0/17"], "service_cidrs": ["10.112.0.0/12"]},
                "bj": {"pod_cidrs": ["10.100.0.0/16"], "service_cidrs": ["172.20.0.0/16"]}}
    messages = [o["message"] for o in cidr_overlaps(networks)]
    assert messages == ["bj pod range 10.100.0.0/16 overlaps hz service range 10.96.0.0/12",
                        "hz pod range 10.244.0.0/16 overlaps sh pod range 10.244.128.0/17"]
    assert cidr_overlaps({"a": {"pod_cidrs": ["fd00::/8"]}, "b": {"pod_cidrs": ["10.0.0.0/8"]}}) == []


class FakeCore:
    def __init__(self, node_cidrs):
        self.node_cidrs = node_cidrs

    def list_node(self):
        return SimpleNamespace(items=[SimpleNamespace(spec=SimpleNamespace(pod_cidrs=c)) for c in self.node_cidrs])

    def read_namespaced_config_map(self, name, namespace):
        raise ApiException(status=404)


class FakeCustom:
    def list_cluster_custom_object(self, group, version, plural):
        assert (group, version, plural) == ("networking.k8s.io", "v1", "servicecidrs")
        return {"items": [{"spec": {"cidrs": ["10.97.0.0/16"]}}]}


def test_read_order_inventory_then_cluster():
    read = read_networks(FakeCore([["10.161.0.0/24"], ["10.161.1.0/24"], None]), FakeCustom())
    assert read == {"pod_cidrs": ["10.161.0.0/23"], "service_cidrs": ["10.97.0.0/16"],
                    "sources": {"pod": "nodes", "service": "servicecidrs"}}
    stated = read_networks(FakeCore([]), FakeCustom(), ["10.1.0.0/16"], ["10.2.0.0/16"])
    assert stated["sources"] == {"pod": "inventory", "service": "inventory"}
    assert read_networks(FakeCore([]), FakeCustom())["sources"]["pod"] == "unknown"


def test_a_range_that_is_not_a_cidr_is_named():
    with pytest.raises(AnsibleFilterError, match=r"service range '10\.96\.0\.0/33' is not a CIDR such as 10\.42"):
        cidr_overlaps({"a": {"pod_cidrs": ["10.1.0.0/16"], "service_cidrs": ["10.96.0.0/33"]}, "b": {}})
