# -*- coding: utf-8 -*-
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change the replica count of named workloads in YAML manifests (a file, or every manifest under a folder of a
checkout) without rewriting the rest of the file.

A GitOps repository is read by people: a YAML round trip through a parser would drop its comments and
reorder its keys, so only the characters of each replica value change. The value is found with PyYAML's
composer, whose nodes carry their character positions. Workloads (Deployment, StatefulSet, ReplicaSet)
change `spec.replicas`; a kustomization changes the `count` of its `replicas` entry of that name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

try:
    import yaml

    HAS_YAML = True
except ImportError:
    HAS_YAML = False

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet")


class ManifestError(ValueError):
    """A manifest that cannot be edited as asked: it names the file and what is wrong."""


def _mapping_get(node, key):
    if getattr(node, "id", None) != "mapping":
        return None
    for key_node, value_node in node.value:
        if key_node.value == key:
            return value_node
    return None


def _scalar(node):
    return node.value if getattr(node, "id", None) == "scalar" else None


def _targets(document, names, kustomization):
    """(workload name, replica value node or None) of the document's workloads that `names` lists."""
    kind = _scalar(_mapping_get(document, "kind"))
    if kustomization or kind == "Kustomization":
        entries = _mapping_get(document, "replicas")
        for entry in entries.value if getattr(entries, "id", None) == "sequence" else []:
            name = _scalar(_mapping_get(entry, "name"))
            if name in names:
                yield name, _mapping_get(entry, "count")
        return
    if kind in WORKLOAD_KINDS:
        name = _scalar(_mapping_get(_mapping_get(document, "metadata"), "name"))
        if name in names:
            yield name, _mapping_get(_mapping_get(document, "spec"), "replicas")


def set_replicas(text, names, replicas, filename="manifest", kustomization=False):
    """Return (new text, {name: previous replicas}) for the workloads of `names` found in `text`.

    Raises ManifestError for YAML that does not parse or a found workload without a replica value to change.
    """
    try:
        documents = list(yaml.compose_all(text))
    except yaml.YAMLError as err:
        raise ManifestError("{0}: not valid YAML: {1}".format(filename, err)) from err
    edits, previous = [], {}
    for document in documents:
        for name, node in _targets(document, set(names), kustomization):
            if _scalar(node) is None:
                where = "its replicas entry has no count" if kustomization else "it has no spec.replicas"
                raise ManifestError("{0}: {1} cannot be scaled: {2}".format(filename, name, where))
            try:
                previous[name] = int(node.value)
            except ValueError as err:
                raise ManifestError("{0}: {1} has replicas {2!r}, not a number".format(
                    filename, name, node.value)) from err
            edits.append((node.start_mark.index, node.end_mark.index))
    for start, end in sorted(edits, reverse=True):
        text = text[:start] + str(int(replicas)) + text[end:]
    return text, previous


def manifest_files(checkout, path):
    full = checkout.path(path)
    if os.path.isfile(full):
        return [path]
    if not os.path.isdir(full):
        raise ManifestError("{0} is not in branch {1} of {2}".format(path, checkout.branch, checkout.repo))
    found = []
    for directory, _dirs, names in os.walk(full):
        for name in names:
            if name.endswith((".yaml", ".yml")):
                found.append(os.path.relpath(os.path.join(directory, name), checkout.workdir))
    return sorted(found)


def edit(checkout, params):
    """Change the files in the checkout; (previous counts, changed files, diffs)."""
    previous, changed, diffs = {}, [], []
    for relative in manifest_files(checkout, params["path"]):
        full = checkout.path(relative)
        with open(full, encoding="utf-8") as handle:
            before = handle.read()
        after, counts = set_replicas(before, params["workloads"], params["replicas"], relative,
                                     kustomization=os.path.basename(relative).startswith("kustomization."))
        if counts:
            previous[relative] = counts
        if after != before:
            changed.append(relative)
            diffs.append({"before_header": relative, "after_header": relative, "before": before, "after": after})
            with open(full, "w", encoding="utf-8") as handle:
                handle.write(after)
    found = {name for counts in previous.values() for name in counts}
    missing = [name for name in params["workloads"] if name not in found]
    if missing:
        raise ManifestError("no workload named {0} under {1} in branch {2} of {3}".format(
            ", ".join(missing), params["path"], params["branch"], params["repo"]))
    return previous, changed, diffs
