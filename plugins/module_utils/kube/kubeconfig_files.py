# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubeconfig files read as kubectl reads them (k8s.io/client-go/tools/clientcmd loading rules).

Several files (a KUBECONFIG list) merge: for clusters, users and contexts the first file to name an entry
keeps it, and the first file to set current-context sets it; files of KUBECONFIG that do not exist are
skipped; a relative path in a file (certificate-authority, client-certificate, client-key, tokenFile) is
relative to that file's folder. The kubernetes Python client merges entries the same way but takes the last
file's current-context, so a context is always resolved here and stated.

`minify` gives what `kubectl config view --minify --raw --context X` prints: one context with its cluster and
user and absolute paths, a kubeconfig that means the same on its own. Files are parsed with libyaml where
PyYAML has it: the kubernetes client's pure-Python parse of a 100 kB fleet kubeconfig costs 0.1 s of CPU, per
module and cluster. Used by the inventory and the connection plugin on the controller and by modules alike.
"""

import os

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ConnectionOptionsError

try:
    import yaml

    _Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML without libyaml has only the Python one
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes"), which requires PyYAML
    yaml = None


class KubeconfigError(ConnectionOptionsError):
    """A kubeconfig that cannot be read or used: the message names the file and what is wrong."""


# Fields whose value is a file path, relative to the kubeconfig that sets it.
PATH_FIELDS = {"clusters": ("certificate-authority",), "users": ("client-certificate", "client-key", "tokenFile")}
INNER = {"clusters": "cluster", "users": "user", "contexts": "context"}


# Parsed files, each {path: ((path, mtime, size), document)}: a run-once task over 200 hosts whose contexts share
# one kubeconfig would otherwise parse that file 200 times. One entry per file, the latest: the module server
# outlives runs, and a kubeconfig rewritten between them must not pile up. Callers never change what load() returns.
_PARSED = {}


def _stamp(path):
    """(path, mtime, size): what says a file is the one read before."""
    stat = os.stat(path)
    return path, stat.st_mtime_ns, stat.st_size


def load(path):
    try:
        stamp = _stamp(path)
        if _PARSED.get(path, (None,))[0] == stamp:
            return _PARSED[path][1]
        with open(path, encoding="utf-8") as handle:
            doc = yaml.load(handle, Loader=_Loader)  # nosec B506: a safe loader
    except OSError as err:
        raise KubeconfigError("kubeconfig {0}: {1}".format(path, err.strerror)) from err
    except yaml.YAMLError as err:
        raise KubeconfigError("kubeconfig {0} is not valid YAML: {1}".format(path, err)) from err
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise KubeconfigError("kubeconfig {0}: expected a mapping at the top level".format(path))
    _PARSED[path] = (stamp, doc)
    return doc


def _named(doc, path, key):
    """[(name, entry)] of the kubeconfig list `key`, with errors naming file and key."""
    entries = doc.get(key) or []
    if not isinstance(entries, list):
        raise KubeconfigError("kubeconfig {0}: `{1}` must be a list".format(path, key))
    named = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "name" not in entry or not isinstance(entry.get(INNER[key]), dict):
            raise KubeconfigError("kubeconfig {0}: {1}[{2}] needs `name` and a `{3}` mapping".format(
                path, key, index, INNER[key]))
        named.append((entry["name"], entry[INNER[key]]))
    return named


def files(paths=None, environ=None):
    """The files to read: `paths` (a list, or a string joined like KUBECONFIG; each must exist), else the
    existing files of KUBECONFIG, else ~/.kube/config."""
    environ = os.environ if environ is None else environ
    if paths:
        listed = paths if isinstance(paths, list) else str(paths).split(os.pathsep)
        return [os.path.abspath(os.path.expanduser(p)) for p in listed if p]
    listed = [os.path.abspath(os.path.expanduser(p)) for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    if listed:
        return [p for p in listed if os.path.exists(p)]
    return [os.path.abspath(os.path.expanduser("~/.kube/config"))]


# Merged lists of files, kept as _PARSED is ({paths: (stamps, merged)}, the latest only): minify() of each context
# of one file would otherwise merge all its entries again, a cost that grows with the square of the contexts
# (0.02 s of CPU over 200, 0.8 s over 1,000).
_MERGED = {}


def merge(paths):
    """{"clusters"|"users"|"contexts": {name: (entry, file)}, "current-context": name or None} of the files.
    Callers never change what it returns."""
    paths = tuple(paths)
    try:
        stamps = tuple(_stamp(path) for path in paths)
    except OSError:
        stamps = None  # load() names the file that cannot be read
    if stamps is not None and _MERGED.get(paths, (None,))[0] == stamps:
        return _MERGED[paths][1]
    merged = {key: {} for key in INNER}
    merged["current-context"] = None
    for path in paths:
        doc = load(path)
        for key in INNER:
            for name, entry in _named(doc, path, key):
                merged[key].setdefault(name, (entry, path))
        merged["current-context"] = merged["current-context"] or doc.get("current-context") or None
    if stamps is not None:
        _MERGED[paths] = (stamps, merged)
    return merged


def _absolute(key, entry, path):
    base = os.path.dirname(path)
    return dict(entry, **{field: os.path.normpath(os.path.join(base, os.path.expanduser(entry[field])))
                          for field in PATH_FIELDS[key] if entry.get(field)})


def minify(paths, context=None):
    """The kubeconfig dict of one context of these files (the current one by default), standing on its own."""
    merged = merge(files(paths))
    name = context or merged["current-context"]
    if not name:
        raise KubeconfigError("kubeconfig {0}: no context given and no current-context".format(paths))
    if name not in merged["contexts"]:
        raise KubeconfigError("kubeconfig {0}: no context {1!r}".format(paths, name))
    ctx, ctx_path = merged["contexts"][name]
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": name, "preferences": {},
           "contexts": [{"name": name, "context": ctx}], "clusters": [], "users": []}
    for key, ref in (("clusters", ctx.get("cluster")), ("users", ctx.get("user"))):
        if ref in merged[key]:
            entry, path = merged[key][ref]
            doc[key].append({"name": ref, INNER[key]: _absolute(key, entry, path)})
        elif key == "clusters":
            raise KubeconfigError("kubeconfig {0}: context {1!r} names cluster {2!r}, which is not in `clusters`".format(
                ctx_path, name, ref))
    return doc
