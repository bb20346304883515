# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Applications ApplicationSets will generate, told from the inventory before they reach the hub.

Argo CD finds an ApplicationSet's mistakes only once it runs it: two clusters that render the same Application
name stop the whole ApplicationSet with an error condition, a missing label (missingkey=error) stops it too, and
a destination outside the AppProject leaves an Application that never syncs. The inventory knows every
cluster's name, server and labels, which is all a Cluster generator reads, so the same Applications can be
rendered here (module_utils/argocd/go_template.py) and the mistakes named with their clusters. Cluster, List,
Matrix and Merge generators of those are evaluated as Argo CD v3's do (a Matrix's first generator and a Merge's
later ones win, maps deep-merged as mergo merges them, a merge that makes mergo panic refused); a Git
generator's parameters live in a repository, so an ApplicationSet with one is reported with the clusters it
selects and no names.
"""

import fnmatch
import itertools
import json
import re

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.go_template import (
    MissingKey,
    Unpredictable,
    render,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import matches, normalize

SECRET_TYPE = {"argocd.argoproj.io/secret-type": "cluster"}
# What the Cluster generator gives for Argo CD's own cluster, which has no Secret: only an empty selector picks it.
IN_CLUSTER = {"name": "in-cluster", "nameNormalized": "in-cluster", "server": "https://kubernetes.default.svc",
              "project": "", "metadata": {"labels": {}, "annotations": {}}}


def _normalized(name):
    return re.sub(r"[^a-z0-9.-]", "-", name.lower())


def inventory_clusters(hosts, hostvars):
    """{host: Cluster generator parameters} as Argo CD will see the registered spokes: the name and server their
    registration in this play returned (else the host name and hubspoke_server), the labels hubspoke_labels."""
    clusters = {}
    for host in hosts:
        values = hostvars.get(host) or {}
        registered = values.get("argocd_cluster_result") or {}
        name = registered.get("name") or host
        clusters[host] = {
            "name": name, "nameNormalized": _normalized(name),
            "server": registered.get("server") or values.get("hubspoke_server") or "",
            "project": "", "metadata": {"labels": StringMap(values.get("hubspoke_labels") or {}, **SECRET_TYPE)},
        }
    return clusters


class GeneratorRefused(Exception):
    """A generator Argo CD refuses when it runs it (a Merge without merge keys, or whose keys are not unique)."""


class StringMap(dict):
    """A map the Cluster generator gives as Go's map[string]string (its values, the Secret's labels), which
    mergo cannot merge another generator's map[string]any into."""


def _merged(base, override):
    """`override` over `base` as mergo.Merge(WithOverride) does in Argo CD: maps merge key by key, anything else
    (an empty value too) replaces what was there. Merging a List's or Git's map into a Cluster generator's
    panics in Argo CD's controller (argo-cd issue #16417), so that is refused here."""
    out = type(base)(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            if isinstance(out[key], StringMap) and not isinstance(value, StringMap) and value:
                raise GeneratorRefused("its Merge generator merges another generator's {0} over a Cluster generator's, "
                                       "which stops Argo CD's controller in Go template mode (argo-cd issue #16417): "
                                       "merge Cluster generators instead, or set those values in the first "
                                       "generator".format(key))
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _by_merge_keys(keys, params, position):
    """{merge key values: (host, params)} of one of a Merge's generators, in order."""
    out = {}
    for host, param in params:
        key = json.dumps({k: param.get(k) for k in keys}, sort_keys=True, default=str)
        if key in out:
            raise GeneratorRefused("its Merge generator's generator {0} gives two parameter sets with merge keys {1}, "
                                   "which Argo CD refuses".format(position, key))
        out[key] = (host, param)
    return out


def _merge_params(merge, clusters, missing_error):
    """[(host, params)] of a Merge generator: the first generator's sets, each with the matching sets of the
    later generators over it (later wins); sets of the later ones that match none are dropped, as in Argo CD."""
    keys = sorted(set(merge.get("mergeKeys") or []))
    children = merge.get("generators") or []
    if len(children) < 2 or not keys:
        raise GeneratorRefused("its Merge generator needs two generators or more and mergeKeys")
    base = _by_merge_keys(keys, _params(children[0], clusters, missing_error), 1)
    for position, child in enumerate(children[1:], start=2):
        overrides = _by_merge_keys(keys, _params(child, clusters, missing_error), position)
        for key, (host, param) in base.items():
            if key in overrides:
                base[key] = (host or overrides[key][0], _merged(param, overrides[key][1]))
    return list(base.values())


def _picked(selector, clusters):
    """[(host, params)] of the clusters a normalized selector matches (by their Secret's labels, as Argo CD does)."""
    return [(host, params) for host, params in clusters.items() if matches(selector, params["metadata"]["labels"])]


def _cluster_params(generator, clusters, missing_error):
    """[(host, params)] of a Cluster generator: the clusters its selector picks, with its values rendered."""
    selector = normalize(generator.get("selector") or {})
    picked = _picked(selector, clusters)
    if not any(selector.values()):
        picked.append((None, IN_CLUSTER))
    out = []
    for host, params in picked:
        values = {key: render(str(value), params, missing_error)
                  for key, value in (generator.get("values") or {}).items()}
        out.append((host, dict(params, values=StringMap(values)) if values else params))
    return out


def _params(generator, clusters, missing_error):
    """[(host or None, params)] one generator gives, or Unpredictable."""
    if "clusters" in generator:
        return _cluster_params(generator["clusters"] or {}, clusters, missing_error)
    if "list" in generator:
        if (generator["list"] or {}).get("elementsYaml") or generator.get("selector"):
            raise Unpredictable("a List generator with elementsYaml or a post selector")
        return [(None, element) for element in (generator["list"] or {}).get("elements") or []]
    if "matrix" in generator:
        parts = [_params(child, clusters, missing_error) for child in generator["matrix"].get("generators") or []]
        if len(parts) != 2:
            raise Unpredictable("a Matrix generator needs two generators")
        return [(first[0] or second[0], _merged(second[1], first[1])) for first, second in itertools.product(*parts)]
    if "merge" in generator:
        return _merge_params(generator["merge"] or {}, clusters, missing_error)
    kind = next(iter(generator), "an empty generator")
    raise Unpredictable("its {0} generator's parameters are not in the inventory".format(kind))


def _permitted(project, cluster, namespace):
    """Whether an AppProject's destinations allow this cluster (name or server) and namespace; None when its
    patterns deny (a leading !), which this preview does not evaluate."""
    destinations = (project.get("spec") or {}).get("destinations") or []
    patterns = [value for d in destinations for value in d.values()]
    if any(str(p).startswith("!") for p in patterns):
        return None
    for dest in destinations:
        target = ((dest.get("server") and fnmatch.fnmatchcase(cluster["server"], dest["server"]))
                  or (dest.get("name") and fnmatch.fnmatchcase(cluster["name"], dest["name"])))
        if target and fnmatch.fnmatchcase(namespace or "", dest.get("namespace") or ""):
            return True
    return False


def _first_path(spec):
    """The path of the Application's source, or of the first of its sources that has one."""
    sources = [spec.get("source") or {}] + list(spec.get("sources") or [])
    return next((source["path"] for source in sources if source.get("path")), "")


def _application(appset, host, params, missing_error):
    template = appset["spec"].get("template") or {}
    spec = template.get("spec") or {}
    destination = spec.get("destination") or {}
    return {
        "applicationset": appset["metadata"]["name"], "cluster": host or params.get("name"), "host": host,
        "name": render((template.get("metadata") or {}).get("name") or "", params, missing_error),
        "server": render(destination.get("server") or "", params, missing_error),
        "destination_name": render(destination.get("name") or "", params, missing_error),
        "namespace": render(destination.get("namespace") or "", params, missing_error),
        "project": render(spec.get("project") or "default", params, missing_error),
        "path": render(_first_path(spec), params, missing_error),
    }


def _destination_host(app, clusters):
    """The inventory host an Application's destination names (by server URL, else by Argo CD cluster name)."""
    for host, cluster in clusters.items():
        if app["server"] and app["server"].rstrip("/") == cluster["server"].rstrip("/"):
            return host
        if not app["server"] and app["destination_name"] and app["destination_name"] == cluster["name"]:
            return host
    return None


def _generated(appset, clusters, problems):
    """The Applications one ApplicationSet generates, with what stops Argo CD added to problems; None where its
    generators are beyond this preview."""
    name = appset["metadata"]["name"]
    if not appset["spec"].get("goTemplate") or ".metadata.annotations" in json.dumps(appset["spec"]):
        return None  # fasttemplate, or the Secret's annotations, which the inventory does not hold
    missing_error = "missingkey=error" in (appset["spec"].get("goTemplateOptions") or [])
    try:
        params = [param for generator in appset["spec"].get("generators") or []
                  for param in _params(generator, clusters, missing_error)]
    except Unpredictable:
        return None
    except MissingKey as err:
        problems.append("ApplicationSet {0}: a generator's values cannot be rendered: {1}".format(name, err))
        return []
    except GeneratorRefused as err:
        problems.append("ApplicationSet {0}: {1}".format(name, err))
        return []
    apps = []
    for host, param in params:
        try:
            app = _application(appset, host, param, missing_error)
            if app["host"] is None:  # a List element: the inventory cluster it names, if any
                app["host"] = _destination_host(app, clusters)
                app["cluster"] = app["host"] or app["cluster"]
            apps.append(app)
        except Unpredictable:
            return None
        except MissingKey as err:
            problems.append("ApplicationSet {0}: cannot render its Application for {1}: {2}".format(
                name, host or param.get("name", "a List element"), err))
    return apps


def _duplicates(apps, problems):
    by_name = {}
    for app in apps:
        by_name.setdefault(app["name"], []).append(app)
    for name, same in sorted(by_name.items()):
        if len(same) > 1:
            problems.append("Application name {0!r} is generated {1} times, for {2}: give each an app_name that "
                            "differs per cluster, for example with {{{{.name}}}}".format(
                                name, len(same), ", ".join("{0} by {1}".format(a["cluster"], a["applicationset"])
                                                           for a in same)))


def _outside_projects(apps, projects, clusters, problems):
    """Applications of inventory clusters whose AppProject (when the hub has it) does not permit their destination."""
    by_name = {p["metadata"]["name"]: p for p in projects or []}
    for app in apps:
        project = by_name.get(app["project"])
        if project is None or app["host"] is None:
            continue
        cluster = clusters[app["host"]]
        if _permitted(project, {"name": cluster["name"], "server": app["server"] or cluster["server"]},
                      app["namespace"]) is False:
            problems.append("Application {0} (ApplicationSet {1}): AppProject {2} does not permit cluster {3}, "
                            "namespace {4}".format(app["name"], app["applicationset"], app["project"],
                                                   app["cluster"], app["namespace"]))


def _cluster_generators(generators):
    """The Cluster generators that decide which clusters get Applications: all of a Matrix's, a Merge's first
    generator's (the later ones only override its parameter sets)."""
    for generator in generators:
        if "clusters" in generator:
            yield generator["clusters"] or {}
        if "matrix" in generator:
            yield from _cluster_generators(generator["matrix"].get("generators") or [])
        if "merge" in generator:
            yield from _cluster_generators((generator["merge"].get("generators") or [])[:1])


def _selected_hosts(selectors, clusters):
    """Inventory hosts any of these normalized selectors picks, in inventory order."""
    picked = {host for selector in selectors for host, _params in _picked(selector, clusters)}
    return [host for host in clusters if host in picked]


def preview(appsets, hosts, hostvars, projects=None, allow_empty=False):
    """{"applications": [...], "selected": {appset: [hosts]}, "unpredicted": [appsets], "problems": [...]} of
    ApplicationSet objects over the inventory `hosts`; problems name what Argo CD would stop at. `projects` are
    the hub's AppProjects (None when unknown: no destination check)."""
    clusters = inventory_clusters(hosts, hostvars)
    problems, applications, unpredicted, selected = [], [], [], {}
    for appset in appsets:
        name = appset["metadata"]["name"]
        selectors = [normalize(g.get("selector") or {}) for g in _cluster_generators(appset["spec"].get("generators") or [])]
        selected[name] = _selected_hosts(selectors, clusters)
        # An empty selector always picks Argo CD's own cluster.
        if selectors and all(any(s.values()) for s in selectors) and not selected[name] and not allow_empty:
            problems.append("ApplicationSet {0} selects no cluster of the inventory (set applicationsets_allow_empty "
                            "to apply it anyway)".format(name))
        apps = _generated(appset, clusters, problems)
        if apps is None:
            unpredicted.append(name)
        else:
            applications.extend(apps)
    _duplicates(applications, problems)
    _outside_projects(applications, projects, clusters, problems)
    return {"applications": applications, "selected": selected, "unpredicted": unpredicted, "problems": problems}
