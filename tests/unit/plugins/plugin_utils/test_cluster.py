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
    assert list(assign_hostnames([a], lambda c: c["name"])[0]) == ["prod_hz_1"]


def test_a_host_name_two_clusters_share_leaves_both_out_and_the_rest_in():
    a, b, c = (make_cluster(n, "https://" + n, s) for n, s in (("a", "s"), ("b", "t"), ("c", "t")))
    hosts, problems = assign_hostnames([a, b, c], lambda cluster: "x" if cluster["name"] in "ab" else cluster["name"])
    assert list(hosts) == ["c"]
    assert problems == ["leaving out host name 'x': it names two clusters, https://a (source s) and https://b "
                        "(source t); set the `hostname` option to something unique, for example a label or "
                        "\"name ~ '-' ~ source\""]


def test_a_cluster_whose_host_name_fails_is_left_out_alone():
    def name_of(cluster):
        if cluster["name"] == "a":
            raise ClusterInventoryError("cluster a has no label 'id' for `hostname`")
        return cluster["name"]

    hosts, problems = assign_hostnames([make_cluster("a", "https://a", "s"), make_cluster("b", "https://b", "s")],
                                       name_of)
    assert list(hosts) == ["b"] and problems == [
        "leaving out cluster a (source s): cluster a has no label 'id' for `hostname`"]
