"""failover_plan: every refusal before anything changes, and defaults the steps rely on."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.failover_plan import failover_plan

HOSTS = ["hub", "spoke-1", "spoke-2", "spoke-3"]
CATALOG = {
    "web": {"primary": "spoke-1", "standby": "spoke-2", "replicas": 3, "mode": "gitops",
            "git": {"repo": "file:///srv/apps.git"}, "argocd": {"hub": "hub"},
            "dns": {"name": "web.example.com", "cluster": "hub", "targets": {"spoke-2": ["192.0.2.2"]}}},
    "api": {"primary": "spoke-1", "standby": "spoke-2", "mode": "direct"},
    "batch": {"primary": "spoke-3", "standby": "spoke-2"},
}


def test_failover_fills_in_defaults():
    plan = failover_plan(CATALOG, ["web", "api"], HOSTS)
    assert (plan["from"], plan["to"]) == ("spoke-1", "spoke-2")
    web, api = plan["applications"]
    assert web["git"] == {"repo": "file:///srv/apps.git", "branch": "main",
                          "paths": {"spoke-1": "web/spoke-1", "spoke-2": "web/spoke-2"}}
    assert web["argocd"]["applications"] == {"spoke-1": "web-spoke-1", "spoke-2": "web-spoke-2"}
    assert web["dns"] == {"name": "web.example.com", "cluster": "hub", "namespace": "default", "record_type": "A",
                          "ttl": 30, "targets": {"spoke-2": ["192.0.2.2"]}}
    assert (web["namespace"], web["kind"], web["workloads"]) == ("web", "Deployment", ["web"])
    assert api["argocd"] is None and api["git"] is None and api["replicas"] == 1


def test_failback_reverses_the_direction():
    plan = failover_plan(CATALOG, "web", HOSTS, direction="failback")
    assert (plan["from"], plan["to"], plan["primary"], plan["standby"]) == ("spoke-2", "spoke-1", "spoke-1", "spoke-2")


def test_overrides_and_default_hub():
    plan = failover_plan(CATALOG, ["api"], HOSTS, primary="spoke-3", standby="spoke-1", argocd_hub="hub")
    assert (plan["from"], plan["to"]) == ("spoke-3", "spoke-1")
    assert plan["applications"][0]["argocd"]["hub"] == "hub"


@pytest.mark.parametrize("names, catalog, message", [
    (["shop"], CATALOG, "unknown application shop; the catalog .* has api, batch, web"),
    ([], CATALOG, "no application to move"),
    (["web", "batch"], CATALOG, "do not share one primary/standby pair .spoke-1->spoke-2, spoke-3->spoke-2."),
    (["x"], {"x": {"primary": "spoke-1", "standby": "ghost"}}, "'x': standby 'ghost' is not an inventory host"),
    (["x"], {"x": {"primary": "spoke-1", "standby": "spoke-1"}}, "primary and standby are both 'spoke-1'"),
    (["x"], {"x": {"primary": "spoke-1", "standby": "spoke-2", "mode": "gitops"}}, "mode gitops needs git.repo"),
    (["x"], {"x": {"primary": "spoke-1", "standby": "spoke-2", "mode": "argocd"}}, "mode argocd needs argocd.hub"),
    (["x"], {"x": {"primary": "spoke-1", "standby": "spoke-2", "mode": "helm"}}, "mode 'helm' is not one of"),
    (["x"], {"x": {"primary": "spoke-1", "standby": "spoke-2", "replicas": 0}}, "replicas must be a positive"),
    (["x"], {"x": {"primary": "spoke-1", "standby": "spoke-2", "dns": {"name": "x.example.com", "cluster": "dns"}}},
     "dns.cluster 'dns' .* is not an inventory host"),
])
def test_refusals_name_the_application_and_setting(names, catalog, message):
    with pytest.raises(AnsibleFilterError, match=message):
        failover_plan(catalog, names, HOSTS)
