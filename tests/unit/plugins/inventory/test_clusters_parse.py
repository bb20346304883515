"""The plugin end to end through Ansible's InventoryManager, with static sources (no API needed)."""

import yaml
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader


def load(tmp_path, **config):
    path = tmp_path / "t.clusters.yml"
    path.write_text(yaml.safe_dump({"plugin": "hubspoke.multicluster.clusters", **config}))
    return InventoryManager(loader=DataLoader(), sources=[str(path)])


def sources(second_environment):
    return [
        {"type": "static", "name": "first", "clusters": [
            {"name": "prod-hz", "server": "https://hz:6443",
             "labels": {"environment": "production", "region": "cn-hangzhou"}}]},
        {"type": "static", "name": "second", "hub": "hub-a", "clusters": [
            {"name": "hz", "server": "https://HZ:6443/", "labels": {"environment": second_environment}}]},
    ]


def test_groups_vars_and_merge(tmp_path):
    inventory = load(tmp_path, sources=sources("production"))
    host = inventory.get_host("prod-hz")
    assert [h.name for h in inventory.hosts.values()] == ["prod-hz"]
    assert {g.name for g in host.get_groups()} >= {"env_production", "region_cn_hangzhou", "source_first",
                                                   "source_second", "hub_hub_a"}
    assert host.vars["hubspoke_sources"] == ["first", "second"]
    assert host.vars["ansible_connection"] == "hubspoke.multicluster.cluster"


def test_label_conflict_is_a_warning_and_recorded(tmp_path):
    host = load(tmp_path, sources=sources("staging")).get_host("prod-hz")
    assert host.vars["hubspoke_labels"]["environment"] == "production"
    assert "'production' in source first but 'staging' in source second" in host.vars["hubspoke_label_conflicts"][0]


def test_label_conflict_leaves_that_cluster_out_with_strict(tmp_path):
    extra = {"type": "static", "name": "third", "clusters": [{"name": "sh", "server": "https://sh:6443"}]}
    inventory = load(tmp_path, strict=True, sources=sources("staging") + [extra])
    assert list(inventory.hosts) == ["sh"]  # prod-hz is left out, the rest loads


def test_hostname_expression_and_label(tmp_path):
    inventory = load(tmp_path, sources=sources("production"), hostname="labels.region ~ '.' ~ name")
    assert list(inventory.hosts) == ["cn-hangzhou.prod-hz"]
    inventory = load(tmp_path, sources=sources("production"), hostname="label:region")
    assert list(inventory.hosts) == ["cn-hangzhou"]


def test_source_options_may_be_templates(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEET_KUBECONFIG", str(tmp_path / "kube.yml"))
    (tmp_path / "kube.yml").write_text(yaml.safe_dump({
        "clusters": [{"name": "hz", "cluster": {"server": "https://hz:6443"}}],
        "contexts": [{"name": "prod-hz", "context": {"cluster": "hz", "user": "u"}}], "users": []}))
    inventory = load(tmp_path, sources=[{"type": "kubeconfig", "path": "{{ lookup('ansible.builtin.env', 'FLEET_KUBECONFIG') }}"}])
    assert "prod-hz" in inventory.hosts
