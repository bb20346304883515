"""The ApplicationSets the applicationset filter builds (the CRD schema accepts them: integration test)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.applicationset import applicationset, applicationset_name

SEED = {"name": "my-app", "repo_url": "https://git.example.com/my-app.git", "path": "overlays",
        "overlay_label": "environment", "selector": {"matchLabels": {"environment": "production"}}}


def test_seed_example_cluster_generator_with_overlay_per_environment():
    appset = applicationset(SEED)
    spec = appset["spec"]
    assert appset["metadata"] == {"name": "my-app", "namespace": "argocd"}
    assert spec["goTemplate"] is True and spec["goTemplateOptions"] == ["missingkey=error"]
    assert spec["generators"] == [{"clusters": {"selector": {"matchLabels": {"environment": "production"}}}}]
    template = spec["template"]
    assert template["metadata"]["name"] == "my-app-{{.name}}"  # one Application per cluster, never two alike
    assert template["spec"]["source"] == {"repoURL": "https://git.example.com/my-app.git", "targetRevision": "HEAD",
                                          "path": 'overlays/{{index .metadata.labels "environment"}}'}
    assert template["spec"]["destination"] == {"server": "{{.server}}", "namespace": "my-app"}
    assert template["spec"]["syncPolicy"] == {
        "automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"],
        "retry": {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}}


def test_matrix_of_git_directories_and_clusters():
    item = {"name": "addons", "repo_url": "https://git.example.com/platform.git", "revision": "main",
            "git_directories": ["addons/*"], "project": "platform",
            "selector": {"matchExpressions": [{"key": "environment", "operator": "NotIn", "values": ["staging"]}]},
            "sync": {"automated": False, "create_namespace": False, "retry_limit": 0, "options": ["ServerSideApply=true"]}}
    spec = applicationset(item, namespace="gitops")["spec"]
    (matrix,) = spec["generators"]
    git, clusters = matrix["matrix"]["generators"]
    assert git == {"git": {"repoURL": "https://git.example.com/platform.git", "revision": "main",
                           "directories": [{"path": "addons/*"}]}}
    assert clusters["clusters"]["selector"] == item["selector"]
    assert spec["template"]["metadata"]["name"] == "{{.path.basename}}-{{.name}}"
    assert spec["template"]["spec"]["source"]["path"] == "{{.path.path}}"
    assert spec["template"]["spec"]["project"] == "platform"
    assert spec["template"]["spec"]["syncPolicy"] == {"syncOptions": ["ServerSideApply=true"]}


def test_empty_selector_selects_every_cluster():
    assert applicationset(dict(SEED, selector={}))["spec"]["generators"] == [{"clusters": {"selector": {}}}]


@pytest.mark.parametrize("item,message", [
    (dict(SEED, selector={"matchExpressions": [{"key": "env", "operator": "Equals", "values": ["a"]}]}), "Equals"),
    (dict(SEED, selector={"matchExpressions": [{"key": "env", "operator": "In"}]}), "In"),
    (dict(SEED, repo_url=""), "`repo_url` is required"),
    ({k: v for k, v in SEED.items() if k != "path"}, "set `path`"),
    (dict(SEED, git_files=["a/*.json"], elements=[{"app": "a"}]), "give one of git_directories, git_files, elements"),
    (dict(SEED, elements=[{"app": "a"}]), "with `elements`, set `app_name`"),
    (dict(SEED, helm={"valueFiles": ["v.yaml"]}), "helm has no valueFiles"),
    (dict(SEED, sources=[{"repo_url": "https://charts.example.com", "chart": "web"}]), "give `sources` or `repo_url`"),
    (dict(SEED, repo_url=None, sources=[{"chart": "web"}]), "`repo_url` is required (of each of `sources`)"),
])
def test_bad_input_names_the_applicationset(item, message):
    with pytest.raises(AnsibleFilterError, match="my-app") as err:
        applicationset(item)
    assert message in str(err.value)


def test_cluster_overrides_become_values_chosen_by_the_clusters_name():
    spec = applicationset(dict(SEED, cluster_values={"replicas": 2, "debug": False, "tier": "web"},
                               cluster_overrides={"spoke-1": {"replicas": 5, "debug": True}, "spoke-2": {"replicas": 3}}))["spec"]
    assert spec["generators"] == [{"clusters": {"selector": SEED["selector"], "values": {
        "replicas": "{{if eq .name `spoke-1`}}5{{else if eq .name `spoke-2`}}3{{else}}2{{end}}",
        "debug": "{{if eq .name `spoke-1`}}true{{else}}false{{end}}",
        "tier": "web"}}}]
    assert spec["template"]["metadata"]["name"] == "my-app-{{.name}}"


@pytest.mark.parametrize("overrides,message", [
    ({"spoke-1": {"zone": "a"}}, "cluster_overrides['spoke-1'] sets zone, which cluster_values does not"),
    ({"spoke`1": {"replicas": 5}}, "a cluster name with a backquote"),
])
def test_an_override_without_a_default_or_with_an_unmatchable_name_is_refused(overrides, message):
    with pytest.raises(AnsibleFilterError, match="my-app") as err:
        applicationset(dict(SEED, cluster_values={"replicas": 2}, cluster_overrides=overrides))
    assert message in str(err.value)


@pytest.mark.parametrize("key,first", [
    ("git_files", {"git": {"repoURL": SEED["repo_url"], "revision": "HEAD", "files": [{"path": "apps/*.json"}]}}),
    ("elements", {"list": {"elements": [{"app": "alpha"}, {"app": "beta"}]}}),
])
def test_git_files_or_list_elements_make_a_matrix_with_the_clusters(key, first):
    value = ["apps/*.json"] if key == "git_files" else [{"app": "alpha"}, {"app": "beta"}]
    spec = applicationset(dict(SEED, path="web", app_name="{{.app}}-{{.name}}", **{key: value}))["spec"]
    assert spec["generators"] == [{"matrix": {"generators": [first, {"clusters": {"selector": SEED["selector"]}}]}}]
    assert spec["template"]["metadata"]["name"] == "{{.app}}-{{.name}}"


def test_helm_settings_become_argo_cds_helm_source_fields():
    source = applicationset(dict(SEED, overlay_label=None, path="charts/web", helm={
        "value_files": ["values-prod.yaml"], "values": {"ingress": {"enabled": True}},
        "parameters": {"replicaCount": "{{.values.replicas}}"}, "release_name": "web"}))["spec"]["template"]["spec"]["source"]
    assert source["path"] == "charts/web" and source["helm"] == {
        "releaseName": "web", "valueFiles": ["values-prod.yaml"], "valuesObject": {"ingress": {"enabled": True}},
        "parameters": [{"name": "replicaCount", "value": "{{.values.replicas}}"}]}


def test_sources_make_a_multi_source_application():
    spec = applicationset(dict(SEED, repo_url=None, path=None, overlay_label=None, sources=[
        {"repo_url": "https://charts.example.com", "chart": "web", "revision": "1.2.0",
         "helm": {"value_files": ["$values/web/{{.name}}.yaml"]}},
        {"repo_url": "https://git.example.com/values.git", "ref": "values"}]))["spec"]["template"]["spec"]
    assert "source" not in spec and spec["sources"] == [
        {"repoURL": "https://charts.example.com", "targetRevision": "1.2.0", "chart": "web",
         "helm": {"valueFiles": ["$values/web/{{.name}}.yaml"]}},
        {"repoURL": "https://git.example.com/values.git", "targetRevision": "HEAD", "ref": "values"}]


VERBATIM = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "guestbook"},
            "spec": {"goTemplate": True, "generators": [{"list": {"elements": [{"cluster": "spoke-1"}]}}],
                     "template": {"metadata": {"name": "guestbook-{{.cluster}}"}, "spec": {}}}}


def test_a_definition_is_used_as_given_in_argo_cds_namespace():
    appset = applicationset({"definition": VERBATIM, "repo_url": "ignored"}, namespace="gitops")
    assert appset == dict(VERBATIM, metadata={"name": "guestbook", "namespace": "gitops"})
    assert VERBATIM["metadata"] == {"name": "guestbook"}  # the item is left as it was
    placed = dict(VERBATIM, metadata={"name": "guestbook", "namespace": "argocd-apps"})
    assert applicationset({"definition": placed})["metadata"]["namespace"] == "argocd-apps"
    assert applicationset_name({"definition": VERBATIM}) == "guestbook" == applicationset_name({"name": "guestbook"})


@pytest.mark.parametrize("definition,message", [
    (dict(VERBATIM, kind="Application"), "must be an argoproj.io ApplicationSet, got kind 'Application'"),
    ("guestbook", "must be an argoproj.io ApplicationSet, got str"),
    (dict(VERBATIM, metadata={}), "has no metadata.name"),
    ({k: v for k, v in VERBATIM.items() if k != "spec"}, "'guestbook': definition has no spec"),
])
def test_a_definition_that_is_no_applicationset_is_refused(definition, message):
    with pytest.raises(AnsibleFilterError, match=message):
        applicationset({"definition": definition})
