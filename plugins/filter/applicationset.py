# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.applicationset: an Argo CD ApplicationSet from a few inventory-level settings.

Built in Python rather than in a Jinja template because ApplicationSet templates are Go templates
(`{{.name}}`): generated here, they never pass through Jinja, so users only write `!unsafe` for
Go templates of their own.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import (
    LabelSelectorError,
    normalize,
)

DOCUMENTATION = r"""
name: applicationset
short_description: Build an Argo CD ApplicationSet that routes an application to clusters by label
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Returns an C(argoproj.io/v1alpha1) ApplicationSet with C(goTemplate=true) and C(missingkey=error).
  - The cluster part is a Cluster generator with O(_input.selector) and O(_input.cluster_values); a value that
    O(_input.cluster_overrides) changes for some clusters is a Go template choosing by the cluster's name.
  - With O(_input.git_directories), O(_input.git_files) or O(_input.elements) (one of them), a Matrix of that Git
    directories, Git files or List generator and the cluster part, one Application per directory, file or element
    and cluster.
  - The Application has one source (O(_input.repo_url), with O(_input.helm) for a Helm chart) or, with
    O(_input.sources), several (a multi-source Application, for example a chart and a values repository).
  - Application names and paths are Go templates generated here (C({{.name}}) is the cluster's name in
    Argo CD); fields you set may be Go templates too, written with C(!unsafe) in YAML so Jinja leaves them.
  - The selector is validated as Kubernetes would; a bad selector is an error naming the term.
  - With O(_input.definition), returns that ApplicationSet as given (its namespace defaulting to O(namespace)),
    so that an ApplicationSet written for Argo CD, with any generators, can be previewed, validated and applied.
options:
  _input:
    description: The ApplicationSet's settings, an item of the role variable C(applicationsets_items).
    type: dict
    required: true
    suboptions:
      name:
        description: Name of the ApplicationSet. Required, except with O(_input.definition), which names it.
        type: str
      definition:
        description:
          - A whole C(argoproj.io/v1alpha1) ApplicationSet, used as given; the other keys but O(_input.state) are
            then not used. Its Go templates must be written with C(!unsafe) so Jinja leaves them to Argo CD.
        type: dict
      repo_url:
        description: Git repository of the application's manifests. Required, except with O(_input.definition) or O(_input.sources).
        type: str
      revision:
        description: Git revision.
        type: str
        default: HEAD
      path:
        description:
          - Path in the repository (a Go template is allowed). With O(_input.git_directories), defaults to the
            directory; with O(_input.git_files), to the file's directory.
        type: str
      overlay_label:
        description: Append C(/<value of this cluster label>) to O(_input.path), for per-environment Kustomize overlays.
        type: str
      selector:
        description: LabelSelector over the Argo CD cluster labels (C(matchLabels), C(matchExpressions)).
        type: dict
        default: {}
      git_directories:
        description: Directory globs of the repository; makes a Matrix of Git directories x clusters.
        type: list
        elements: str
      git_files:
        description:
          - File globs of the repository (JSON or YAML files); makes a Matrix of Git files x clusters. Each file's
            keys are parameters of its Applications (C({{.app}})), beside C(.path.path), C(.path.basename) and
            C(.path.filename).
        type: list
        elements: str
      elements:
        description:
          - Parameter sets of a List generator; makes a Matrix of that List x clusters, so every element's keys
            (C({{.app}})) and the cluster's (C({{.name}})) are parameters. Needs O(_input.app_name).
        type: list
        elements: dict
      cluster_values:
        description:
          - Values of the Cluster generator, the same for every selected cluster (C({{.values.replicas}}) in
            templates); each value may be a Go template over the cluster's parameters. Values are strings.
        type: dict
        default: {}
      cluster_overrides:
        description:
          - Per cluster (its name in Argo CD, the inventory host unless it registered under another name), values
            that replace O(_input.cluster_values) for that cluster. Each overridden value needs its default in
            O(_input.cluster_values). A cluster the selector does not pick gets nothing.
        type: dict
        default: {}
      helm:
        description: A Helm source's settings.
        type: dict
        suboptions:
          value_files:
            description: Value files, relative to the chart (or C($<ref>/path) of another source).
            type: list
            elements: str
          values:
            description: Values, a dict (Argo CD's C(valuesObject)) or a YAML string (C(values)).
            type: raw
          parameters:
            description: Parameters, a dict of name to value (Argo CD's list of C(name) and C(value) taken as is).
            type: raw
          release_name:
            description: Helm release name; Argo CD's default is the Application's name.
            type: str
      sources:
        description:
          - Sources of a multi-source Application, instead of O(_input.repo_url) and O(_input.path).
        type: list
        elements: dict
        suboptions:
          repo_url:
            description: Git repository or Helm repository.
            type: str
            required: true
          revision:
            description: Git revision or chart version.
            type: str
            default: HEAD
          path:
            description: Path in the repository (a Go template is allowed).
            type: str
          chart:
            description: Chart name, for a Helm repository.
            type: str
          ref:
            description: Name other sources use for this one in value files (C($<ref>/values.yaml)).
            type: str
          helm:
            description: As O(_input.helm).
            type: dict
          source:
            description: Extra fields of this source.
            type: dict
      app_name:
        description:
          - Go template of each Application's name. Defaults to C(<name>-{{.name}}), or C({{.path.basename}}-{{.name}})
            with O(_input.git_directories), so that no two clusters generate the same name.
        type: str
      project:
        description: Argo CD project of the Applications.
        type: str
        default: default
      destination_namespace:
        description: Namespace on the cluster (a Go template is allowed). Defaults to O(_input.name).
        type: str
      sync:
        description:
          - Sync policy. Keys C(automated) (default V(true)), C(prune) (V(true)), C(self_heal) (V(true)),
            C(create_namespace) (V(true)), C(retry_limit) (V(5)), C(retry_backoff) (a backoff dict) and
            C(options) (extra syncOptions).
        type: dict
        default: {}
      source:
        description: Extra fields of the Application source, for example C(kustomize) or C(helm).
        type: dict
        default: {}
      labels:
        description: Labels of the ApplicationSet.
        type: dict
        default: {}
  namespace:
    description: Namespace of Argo CD on the hub.
    type: str
    default: argocd
"""

EXAMPLES = r"""
- name: An ApplicationSet as written for Argo CD, from a file (its Go templates never pass through Jinja)
  kubernetes.core.k8s:
    definition: "{{ {'definition': lookup('ansible.builtin.file', 'guestbook-applicationset.yml') | from_yaml}
                    | hubspoke.multicluster.applicationset }}"

- name: A Helm chart per cluster, its replicas from the cluster's values, spoke-1 with more
  kubernetes.core.k8s:
    definition: >-
      {{ {'name': 'web', 'repo_url': 'https://git.example.com/charts.git', 'path': 'web',
          'selector': {'matchLabels': {'environment': 'production'}},
          'cluster_values': {'replicas': '2'}, 'cluster_overrides': {'spoke-1': {'replicas': '5'}},
          'helm': {'value_files': ['values-production.yaml'], 'parameters': {'replicaCount': '{{.values.replicas}}'}}}
         | hubspoke.multicluster.applicationset }}

- name: The seed example, routed by label
  kubernetes.core.k8s:
    definition: >-
      {{ {'name': 'my-app', 'repo_url': 'https://git.example.com/my-app.git', 'path': 'overlays',
          'overlay_label': 'environment',
          'selector': {'matchLabels': {'environment': 'production'}}} | hubspoke.multicluster.applicationset }}
"""

RETURN = r"""
_value:
  description: The ApplicationSet, ready for M(kubernetes.core.k8s).
  type: dict
"""

CLUSTER_NAME = "{{.name}}"
CLUSTER_SERVER = "{{.server}}"
DIRECTORY_PATH = "{{.path.path}}"
DIRECTORY_BASENAME = "{{.path.basename}}"
DEFAULT_BACKOFF = {"duration": "5s", "factor": 2, "maxDuration": "3m"}
HELM_KEYS = ("release_name", "value_files", "values", "parameters")


def _label_value(key):
    return '{{index .metadata.labels "%s"}}' % key


def _sync_policy(sync):
    policy = {}
    if sync.get("automated", True):
        policy["automated"] = {"prune": bool(sync.get("prune", True)), "selfHeal": bool(sync.get("self_heal", True))}
    options = list(sync.get("options") or [])
    if sync.get("create_namespace", True):
        options.insert(0, "CreateNamespace=true")
    if options:
        policy["syncOptions"] = options
    limit = sync.get("retry_limit", 5)
    if limit:
        policy["retry"] = {"limit": int(limit), "backoff": dict(sync.get("retry_backoff") or DEFAULT_BACKOFF)}
    return policy


def _path(item):
    path = item.get("path") or (DIRECTORY_PATH if item.get("git_directories") or item.get("git_files") else None)
    if not path:
        raise AnsibleFilterError("ApplicationSet {0!r}: set `path` (or `git_directories` or `git_files`)".format(item.get("name")))
    if item.get("overlay_label"):
        path = "{0}/{1}".format(path.rstrip("/"), _label_value(item["overlay_label"]))
    return path


def _helm(name, helm):
    """Argo CD's `helm` source fields from the role's: value_files, values (a dict is valuesObject), parameters
    (a dict of name to value, or Argo CD's list), release_name."""
    unknown = sorted(set(helm) - set(HELM_KEYS))
    if unknown:
        raise AnsibleFilterError("ApplicationSet {0!r}: helm has no {1}; it takes {2}".format(
            name, ", ".join(unknown), ", ".join(HELM_KEYS)))
    out = {}
    if helm.get("release_name"):
        out["releaseName"] = helm["release_name"]
    if helm.get("value_files"):
        out["valueFiles"] = list(helm["value_files"])
    values = helm.get("values")
    if isinstance(values, dict):
        out["valuesObject"] = values
    elif values:
        out["values"] = str(values)
    parameters = helm.get("parameters")
    if isinstance(parameters, dict):
        out["parameters"] = [{"name": key, "value": str(value)} for key, value in parameters.items()]
    elif parameters:
        out["parameters"] = list(parameters)
    return out


def _source(name, spec, revision_default="HEAD", path=None):
    """An Application source from the role's keys (repo_url, revision, path or chart, ref, helm, source)."""
    if not spec.get("repo_url"):
        raise AnsibleFilterError("ApplicationSet {0!r}: `repo_url` is required (of each of `sources`)".format(name))
    source = dict(spec.get("source") or {}, repoURL=spec["repo_url"], targetRevision=spec.get("revision") or revision_default)
    for key, field in (("chart", "chart"), ("ref", "ref")):
        if spec.get(key):
            source[field] = spec[key]
    path = path or spec.get("path")
    if path:
        source["path"] = path
    if spec.get("helm"):
        source["helm"] = dict(source.get("helm") or {}, **_helm(name, spec["helm"]))
    return source


def _sources(item):
    """{"source": ...} or, with `sources`, {"sources": [...]} (a multi-source Application)."""
    name = item["name"]
    if not item.get("sources"):
        if not item.get("repo_url"):
            raise AnsibleFilterError("ApplicationSet {0!r}: `repo_url` is required".format(name))
        return {"source": _source(name, item, path=_path(item))}
    if item.get("repo_url") or item.get("helm"):
        raise AnsibleFilterError("ApplicationSet {0!r}: give `sources` or `repo_url` (with `helm`), not both".format(name))
    return {"sources": [_source(name, source) for source in item["sources"]]}


def _string(value):
    """A Cluster generator value as Argo CD takes it (strings only): YAML's true as Go prints it, not Python."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _clusters(item, selector):
    """The Cluster generator, with `cluster_values`; a value `cluster_overrides` changes for some clusters becomes
    a Go template choosing by the cluster's name, which Argo CD renders per cluster. Not a Merge of the clusters
    and a List: in Go template mode Argo CD panics merging a List's values over a Cluster generator's
    (argo-cd issue #16417), and a Merge could not nest under a Matrix with Git or List parts."""
    name = item["name"]
    values = {key: _string(value) for key, value in (item.get("cluster_values") or {}).items()}
    overrides = item.get("cluster_overrides") or {}
    for cluster, changed in overrides.items():
        if "`" in str(cluster):
            raise AnsibleFilterError("ApplicationSet {0!r}: cluster_overrides: a cluster name with a backquote "
                                     "({1!r}) cannot be matched".format(name, cluster))
        unknown = sorted(set(changed or {}) - set(values))
        if unknown:
            raise AnsibleFilterError("ApplicationSet {0!r}: cluster_overrides[{1!r}] sets {2}, which cluster_values "
                                     "does not: give every overridden value its default there".format(
                                         name, cluster, ", ".join(unknown)))
    for key in values:
        branches = [(cluster, _string(changed[key])) for cluster, changed in overrides.items()
                    if key in (changed or {})]
        if branches:
            values[key] = "".join("{{{{{0}if eq .name `{1}`}}}}{2}".format("else " if n else "", cluster, value)
                                  for n, (cluster, value) in enumerate(branches)) + "{{else}}" + values[key] + "{{end}}"
    clusters = {"selector": selector}
    if values:
        clusters["values"] = values
    return {"clusters": clusters}


def _generators(item, selector):
    """[generator] and the default Application name: the Cluster part alone, or a Matrix of one other part
    (Git directories, Git files or List elements) and it."""
    name = item["name"]
    others = [key for key in ("git_directories", "git_files", "elements") if item.get(key)]
    if len(others) > 1:
        raise AnsibleFilterError("ApplicationSet {0!r}: give one of {1}, not {2}".format(
            name, ", ".join(("git_directories", "git_files", "elements")), " and ".join(others)))
    clusters = _clusters(item, selector)
    if not others:
        return [clusters], "{0}-{1}".format(name, CLUSTER_NAME)
    revision = item.get("revision") or "HEAD"
    default_name = "{0}-{1}".format(DIRECTORY_BASENAME, CLUSTER_NAME)
    if others == ["elements"]:
        default_name = None
        if not item.get("app_name"):
            raise AnsibleFilterError("ApplicationSet {0!r}: with `elements`, set `app_name` to a Go template over an "
                                     "element's keys and the cluster's, for example {{{{.app}}}}-{{{{.name}}}}".format(name))
        first = {"list": {"elements": list(item["elements"])}}
    elif others == ["git_files"]:
        first = {"git": {"repoURL": item["repo_url"], "revision": revision,
                         "files": [{"path": f} for f in item["git_files"]]}}
    else:
        first = {"git": {"repoURL": item["repo_url"], "revision": revision,
                         "directories": [{"path": d} for d in item["git_directories"]]}}
    return [{"matrix": {"generators": [first, clusters]}}], default_name


def applicationset_name(item):
    """The name of the ApplicationSet an item of applicationsets_items makes."""
    definition = item.get("definition")
    if definition is not None:
        return ((definition.get("metadata") or {}) if isinstance(definition, dict) else {}).get("name")
    return item.get("name")


def _verbatim(definition, namespace):
    if not isinstance(definition, dict) or definition.get("kind") != "ApplicationSet" or not str(
            definition.get("apiVersion", "")).startswith("argoproj.io/"):
        raise AnsibleFilterError("definition must be an argoproj.io ApplicationSet, got {0}".format(
            "kind {0!r}".format(definition.get("kind")) if isinstance(definition, dict) else type(definition).__name__))
    metadata = definition.get("metadata") or {}
    if not metadata.get("name"):
        raise AnsibleFilterError("definition of an ApplicationSet has no metadata.name")
    if not isinstance(definition.get("spec"), dict):
        raise AnsibleFilterError("ApplicationSet {0!r}: definition has no spec".format(metadata["name"]))
    return dict(definition, metadata=dict(metadata, namespace=metadata.get("namespace") or namespace))


def applicationset(item, namespace="argocd"):
    if item.get("definition") is not None:
        return _verbatim(item["definition"], namespace)
    if not item.get("name"):
        raise AnsibleFilterError("an ApplicationSet item needs `name` (or `definition`)")
    name = item["name"]
    try:
        selector = normalize(item.get("selector") or {})
    except LabelSelectorError as err:
        raise AnsibleFilterError("ApplicationSet {0!r}: {1}".format(name, err)) from err
    selector = {k: v for k, v in selector.items() if v}
    sources = _sources(item)
    generators, default_name = _generators(item, selector)
    template = {
        "metadata": {"name": item.get("app_name") or default_name, "labels": {"app.kubernetes.io/part-of": name}},
        "spec": dict(sources, **{
            "project": item.get("project") or "default",
            "destination": {"server": CLUSTER_SERVER, "namespace": item.get("destination_namespace") or name},
            "syncPolicy": _sync_policy(item.get("sync") or {}),
        }),
    }
    metadata = {"name": name, "namespace": namespace}
    if item.get("labels"):  # an empty map the API server drops would make every server-side apply a write
        metadata["labels"] = dict(item["labels"])
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": metadata,
        "spec": {"goTemplate": True, "goTemplateOptions": ["missingkey=error"], "generators": generators,
                 "template": template},
    }


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"applicationset": applicationset}
