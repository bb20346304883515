"""Merging clusters found by several sources, and naming hosts."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import (
    ClusterInventoryError,
    assign_hostnames,
    make_cluster,
    merge_clusters,
    normalize_server,
    sanitize_hostname,
)


@pytest.mark.parametrize("a,b", [
    ("https://API.example.com:443/", "https://api.example.com"),
    ("https://10.0.0.1:6443", "https://10.0.0.1:6443/"),
    ("https://[::1]:6443", "https://[::1]:6443"),
])
def test_same_server_normalizes_equal(a, b):
    assert normalize_server(a) == normalize_server(b)


def test_different_ports_are_different_clusters():
    assert normalize_server("https://10.0.0.1:6443") != normalize_server("https://10.0.0.1:16443")


def test_merge_keeps_first_source_and_reports_conflicts():
    first = make_cluster("prod-hz", "https://k.example.com", "kubeconfig",
                         labels={"environment": "production", "region": "cn-hangzhou"},
                         connection={"kubeconfig": "/k", "context": "prod-hz"})
    second = make_cluster("prod-hz-argo", "https://k.example.com:443/", "argocd", hub="hub",
                          labels={"environment": "staging", "team": "payments"})
    clusters, conflicts = merge_clusters([first, second])
    assert len(clusters) == 1
    merged = clusters[0]
    assert merged["name"] == "prod-hz" and merged["sources"] == ["kubeconfig", "argocd"]
    assert merged["labels"] == {"environment": "production", "region": "cn-hangzhou", "team": "payments"}
    assert merged["hub"] == "hub"
    assert merged["connection"]["context"] == "prod-hz"
    assert len(conflicts) == 1 and "'environment' is 'production' in source kubeconfig but 'staging'" in conflicts[0]
    assert merged["label_conflicts"] == conflicts


def test_merge_fills_a_missing_connection_from_a_later_source():
    ocm = make_cluster("c1", "https://c1:6443", "ocm", labels={"cloud": "aws"})
    static = make_cluster("c1", "https://c1:6443", "static", connection={"kubeconfig": "/k", "context": "c1"})
    clusters = merge_clusters([ocm, static])[0]
    assert clusters[0]["connection"] == {"kubeconfig": "/k", "context": "c1"}


def test_clusters_without_server_merge_only_within_their_source():
    clusters = merge_clusters([make_cluster("a", None, "s1"), make_cluster("a", None, "s2")])[0]
    assert len(clusters) == 2


def test_host_names_are_sanitized_and_unique():
    a = make_cluster("prod hz/1", "https://a", "s")
    assert sanitize_hostname("prod hz/1") == "prod_hz_1"
    assert list(assign_hostnames([a], lambda c: c["name"])) == ["prod_hz_1"]
    b = make_cluster("prod-hz", "https://b", "t")
    with pytest.raises(ClusterInventoryError, match="host name 'x' is used by two clusters: https://a"):
        assign_hostnames([a, b], lambda c: "x")
