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
  - Without O(_input.git_directories) it uses a Cluster generator with O(_input.selector); with it, a Matrix of
    a Git directories generator and that Cluster generator (one Application per directory and cluster).
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
        description: Git repository of the application's manifests. Required, except with O(_input.definition).
        type: str
      revision:
        description: Git revision.
        type: str
        default: HEAD
      path:
        description: Path in the repository (a Go template is allowed). With O(_input.git_directories), defaults to the directory.
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
    path = item.get("path") or (DIRECTORY_PATH if item.get("git_directories") else None)
    if not path:
        raise AnsibleFilterError("ApplicationSet {0!r}: set `path` (or `git_directories`)".format(item.get("name")))
    if item.get("overlay_label"):
        path = "{0}/{1}".format(path.rstrip("/"), _label_value(item["overlay_label"]))
    return path


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
    for key in ("name", "repo_url"):
        if not item.get(key):
            raise AnsibleFilterError("ApplicationSet {0!r}: `{1}` is required".format(item.get("name"), key))
    name = item["name"]
    try:
        selector = normalize(item.get("selector") or {})
    except LabelSelectorError as err:
        raise AnsibleFilterError("ApplicationSet {0!r}: {1}".format(name, err)) from err
    selector = {k: v for k, v in selector.items() if v}
    revision = item.get("revision") or "HEAD"
    clusters = {"clusters": {"selector": selector}}
    if item.get("git_directories"):
        git = {"git": {"repoURL": item["repo_url"], "revision": revision,
                       "directories": [{"path": d} for d in item["git_directories"]]}}
        generators = [{"matrix": {"generators": [git, clusters]}}]
        app_name = item.get("app_name") or "{0}-{1}".format(DIRECTORY_BASENAME, CLUSTER_NAME)
    else:
        generators = [clusters]
        app_name = item.get("app_name") or "{0}-{1}".format(name, CLUSTER_NAME)
    source = dict(item.get("source") or {}, repoURL=item["repo_url"], targetRevision=revision, path=_path(item))
    template = {
        "metadata": {"name": app_name, "labels": {"app.kubernetes.io/part-of": name}},
        "spec": {
            "project": item.get("project") or "default",
            "source": source,
            "destination": {"server": CLUSTER_SERVER, "namespace": item.get("destination_namespace") or name},
            "syncPolicy": _sync_policy(item.get("sync") or {}),
        },
    }
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(item.get("labels") or {})},
        "spec": {"goTemplate": True, "goTemplateOptions": ["missingkey=error"], "generators": generators,
                 "template": template},
    }


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"applicationset": applicationset}
