"""The Applications ApplicationSets will generate, told from the inventory, and what Argo CD would stop at."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.applicationset_preview import applicationset_preview

HOSTVARS = {
    "spoke-1": {"hubspoke_server": "https://127.0.0.1:16010",
                "hubspoke_labels": {"environment": "production", "region": "cn-hangzhou"}},
    "spoke-2": {"hubspoke_server": "https://127.0.0.1:16020",
                "hubspoke_labels": {"environment": "production", "region": "cn-shanghai"},
                "argocd_cluster_result": {"name": "shanghai-1", "server": "https://spoke-2.example:6443"}},
    "spoke-3": {"hubspoke_server": "https://127.0.0.1:16030", "hubspoke_labels": {"environment": "staging"}},
}
HOSTS = list(HOSTVARS)
PRODUCTION = {"matchLabels": {"environment": "production"}}


def item(**fields):
    return dict({"name": "guestbook", "repo_url": "https://git.example.com/guestbook.git", "path": "guestbook",
                 "selector": PRODUCTION}, **fields)


def preview(items, **options):
    return applicationset_preview(items, HOSTS, HOSTVARS, **options)


def test_each_selected_cluster_gets_its_application_under_its_registered_name_and_server():
    report = preview([item(overlay_label="environment")])
    assert [(a["name"], a["cluster"], a["server"], a["path"], a["namespace"]) for a in report["applications"]] == [
        ("guestbook-spoke-1", "spoke-1", "https://127.0.0.1:16010", "guestbook/production", "guestbook"),
        ("guestbook-shanghai-1", "spoke-2", "https://spoke-2.example:6443", "guestbook/production", "guestbook")]
    assert report["problems"] == [] and report["unpredicted"] == []
    assert report["selected"] == {"guestbook": ["spoke-1", "spoke-2"]}
    assert report["lines"] == ["guestbook -> guestbook-spoke-1 on spoke-1, guestbook-shanghai-1 on spoke-2"]


def test_a_name_two_clusters_share_is_refused_naming_them():
    report = preview([item(app_name="my-app-{{.metadata.labels.environment}}")])
    assert report["problems"] == [
        "Application name 'my-app-production' is generated 2 times, for spoke-1 by guestbook, spoke-2 by guestbook: "
        "give each an app_name that differs per cluster, for example with {{.name}}"]


def test_two_applicationsets_generating_the_same_name_are_refused():
    report = preview([item(app_name="web-{{.name}}"), item(name="web", app_name="web-{{.name}}")])
    assert len(report["problems"]) == 2
    assert "'web-spoke-1' is generated 2 times, for spoke-1 by guestbook, spoke-1 by web" in report["problems"][1]


def test_a_label_a_selected_cluster_lacks_stops_argo_cd_and_is_named():
    report = preview([item(selector={}, app_name="app-{{.metadata.labels.region}}")])
    # An empty selector picks Argo CD's own cluster too, which has no labels at all.
    assert report["problems"] == [
        'ApplicationSet guestbook: cannot render its Application for spoke-3: map has no entry for key "region" '
        "(in .metadata.labels.region)",
        'ApplicationSet guestbook: cannot render its Application for in-cluster: map has no entry for key "region" '
        "(in .metadata.labels.region)"]


def test_a_selector_that_matches_nothing_is_refused_unless_allowed():
    nothing = item(selector={"matchLabels": {"environment": "qa"}})
    assert preview([nothing])["problems"] == [
        "ApplicationSet guestbook selects no cluster of the inventory (set applicationsets_allow_empty to apply it anyway)"]
    allowed = preview([nothing], allow_empty=True)
    assert allowed["problems"] == [] and allowed["lines"] == ["guestbook -> no Application"]


def test_a_git_generator_is_reported_with_its_clusters_and_no_names():
    report = preview([item(name="addons", path=None, git_directories=["addons/*"])])
    assert report["unpredicted"] == ["addons"] and report["applications"] == [] and report["problems"] == []
    assert report["lines"] == ["addons -> spoke-1, spoke-2 (its Application names are not known before Argo CD "
                               "renders them)"]


def project(name, *destinations):
    return {"metadata": {"name": name}, "spec": {"destinations": list(destinations)}}


def test_a_destination_outside_the_appproject_is_refused():
    hangzhou = project("hangzhou", {"name": "spoke-1", "namespace": "*"},
                       {"server": "https://spoke-2.example:*", "namespace": "kube-*"})
    report = preview([item(project="hangzhou")], projects=[hangzhou])
    assert report["problems"] == [
        "Application guestbook-shanghai-1 (ApplicationSet guestbook): AppProject hangzhou does not permit cluster "
        "spoke-2, namespace guestbook"]
    assert preview([item(project="hangzhou", destination_namespace="kube-web")], projects=[hangzhou])["problems"] == []
    # A project the hub does not have yet (made later in the run, or in check mode) is not judged.
    assert preview([item(project="elsewhere")], projects=[hangzhou])["problems"] == []


def test_deny_patterns_are_not_judged():
    denying = project("p", {"server": "*", "namespace": "!kube-system"}, {"server": "*", "namespace": "*"})
    assert preview([item(project="p")], projects=[denying])["problems"] == []


def test_a_bad_selector_is_the_filter_error_naming_the_term():
    with pytest.raises(AnsibleFilterError, match="Equals"):
        preview([item(selector={"matchExpressions": [{"key": "environment", "operator": "Equals", "values": ["a"]}]})])


def test_a_verbatim_applicationset_is_previewed_as_given():
    definition = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "by-list"},
                  "spec": {"goTemplate": True, "generators": [{"list": {"elements": [
                      {"cluster": "spoke-1", "url": "https://127.0.0.1:16010"}]}}],
                      "template": {"metadata": {"name": "web-{{.cluster}}"},
                                   "spec": {"project": "default", "source": {"path": "web"},
                                            "destination": {"server": "{{.url}}", "namespace": "web"}}}}}
    report = preview([{"definition": definition}])
    assert [(a["applicationset"], a["name"], a["server"], a["namespace"]) for a in report["applications"]] == [
        ("by-list", "web-spoke-1", "https://127.0.0.1:16010", "web")]
    assert report["problems"] == [] and report["lines"] == ["by-list -> web-spoke-1 on spoke-1"]


def test_cluster_overrides_win_for_their_cluster_and_others_keep_the_shared_values():
    report = preview([item(cluster_values={"replicas": 2, "tier": "web"}, cluster_overrides={"spoke-1": {"replicas": 5}},
                           destination_namespace="web-{{.values.replicas}}-{{.values.tier}}")])
    assert [(a["cluster"], a["namespace"]) for a in report["applications"]] == [
        ("spoke-1", "web-5-web"), ("spoke-2", "web-2-web")]
    assert report["selected"] == {"guestbook": ["spoke-1", "spoke-2"]} and report["problems"] == []


def merge_of(*generators, keys=("server",), name="m-{{.name}}", namespace="{{.values.ns}}"):
    return {"definition": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "merged"},
                           "spec": {"goTemplate": True, "generators": [{"merge": {"mergeKeys": list(keys),
                                                                                  "generators": list(generators)}}],
                                    "template": {"metadata": {"name": name}, "spec": {"destination": {
                                        "server": "{{.server}}", "namespace": namespace}}}}}}


def test_a_merge_keeps_only_the_first_generators_sets_and_the_later_ones_win():
    report = preview([merge_of({"clusters": {"selector": {"matchLabels": {"region": "cn-hangzhou"}}, "values": {"ns": "base"}}},
                               {"clusters": {"selector": PRODUCTION, "values": {"ns": "over"}}})])
    assert [(a["name"], a["namespace"]) for a in report["applications"]] == [("m-spoke-1", "over")]
    assert report["selected"] == {"merged": ["spoke-1"]} and report["problems"] == []


def test_an_empty_value_of_a_later_generator_replaces_the_first_ones_and_unmatched_sets_are_dropped():
    """mergo.Merge(WithOverride) sets every key of the override, empty or not (Argo CD's merge.go)."""
    report = preview([merge_of({"list": {"elements": [{"server": "https://a", "name": "a", "ns": "base"},
                                                      {"server": "https://b", "name": "b", "ns": "base"}]}},
                               {"list": {"elements": [{"server": "https://a", "ns": ""},
                                                      {"server": "https://c", "name": "c", "ns": "x"}]}},
                               namespace="{{.ns}}")])
    assert [(a["name"], a["namespace"]) for a in report["applications"]] == [("m-a", ""), ("m-b", "base")]


def test_a_lists_values_merged_over_a_cluster_generators_is_refused_as_argo_cd_panics_on_it():
    report = preview([merge_of({"clusters": {"selector": PRODUCTION, "values": {"ns": "base"}}},
                               {"list": {"elements": [{"server": "https://127.0.0.1:16010", "values": {"ns": "x"}}]}})])
    assert report["applications"] == []
    assert len(report["problems"]) == 1 and "merged" in report["problems"][0]
    assert "argo-cd issue #16417" in report["problems"][0]


def test_a_merge_argo_cd_refuses_is_a_problem():
    def merge(keys, elements):
        return {"definition": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "m"},
                               "spec": {"goTemplate": True, "generators": [{"merge": {"mergeKeys": keys, "generators": [
                                   {"clusters": {"selector": PRODUCTION}}, {"list": {"elements": elements}}]}}],
                                   "template": {"metadata": {"name": "m-{{.name}}"}, "spec": {}}}}}
    assert preview([merge(["name"], [{"name": "spoke-1"}, {"name": "spoke-1"}])])["problems"] == [
        'ApplicationSet m: its Merge generator\'s generator 2 gives two parameter sets with merge keys {"name": "spoke-1"}, '
        "which Argo CD refuses"]
    # A merge key the clusters do not have is null for all of them: two sets alike already.
    assert "generator 1 gives two parameter sets with merge keys {\"region\": null}" in preview(
        [merge(["region"], [])])["problems"][0]
    assert preview([merge([], [])])["problems"] == [
        "ApplicationSet m: its Merge generator needs two generators or more and mergeKeys"]


def test_a_matrixs_first_generator_wins_a_parameter_both_give():
    report = preview([item(elements=[{"name": "fixed", "app": "a"}], app_name="{{.app}}-{{.name}}", path="web")])
    assert [a["name"] for a in report["applications"]] == ["a-fixed", "a-fixed"]
    assert "'a-fixed' is generated 2 times" in report["problems"][0]
