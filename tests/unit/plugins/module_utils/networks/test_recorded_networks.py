"""What a broker records for its members, read back for the preflight."""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.networks.recorded_networks import recorded_networks


def account(cluster_id, pods, services):
    return {"metadata": {"name": "cluster-" + cluster_id, "labels": {"submariner.io/cluster-id": cluster_id},
                         "annotations": {"multicluster.hubspoke.io/pod-cidrs": pods,
                                         "multicluster.hubspoke.io/service-cidrs": services}}}


def test_members_outside_the_play_are_recorded_and_submariner_wins():
    accounts = [account("a", "10.1.0.0/16", "10.96.0.0/16"), account("b", "10.2.0.0/16,fd00::/56", ""),
                {"metadata": {"name": "cluster-old", "labels": {"submariner.io/cluster-id": "old"}}}]
    clusters = [{"spec": {"cluster_id": "b", "cluster_cidr": ["10.3.0.0/16"], "service_cidr": ["10.97.0.0/16"]}}]
    assert recorded_networks(accounts, clusters, skip=["a"]) == {
        "b (joined)": {"pod_cidrs": ["10.3.0.0/16"], "service_cidrs": ["10.97.0.0/16"]}}
    assert recorded_networks(accounts, [])["b (joined)"] == {"pod_cidrs": ["10.2.0.0/16", "fd00::/56"],
                                                             "service_cidrs": []}
