# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a cluster holds an object as it was last applied: a digest annotation of the applied content, and a
field-for-field comparison with what the cluster holds.

A server-side apply of an unchanged object is a no-op for etcd but not for the API server (an admission per
object, seconds for a large CRD), and kubernetes.core learns that only by sending it. Plain data, no client: the
modules compare what they read (kube/manifest_changes.py), and so do filters on the controller, which must not
import the kubernetes client (filter objects_to_apply).
"""

import hashlib
import json

DIGEST_ANNOTATION = "hubspoke.io/manifest-digest"


def digest(document, annotation=DIGEST_ANNOTATION):
    """The digest of a document's content, as the annotation holds it (the annotation itself left out)."""
    metadata = dict(document.get("metadata") or {})
    annotations = {k: v for k, v in (metadata.get("annotations") or {}).items() if k != annotation}
    metadata["annotations"] = annotations
    canonical = json.dumps(dict(document, metadata=metadata), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def stamped(document, annotation=DIGEST_ANNOTATION):
    """The document with its digest in `annotation`. Two sets of documents applied to the same object by different
    field managers (an upstream manifest's empty ConfigMap, a role's data for it) each need their own annotation:
    with one, each apply would take it from the other and neither would ever be held."""
    metadata = dict(document["metadata"])
    metadata["annotations"] = dict(metadata.get("annotations") or {}, **{annotation: digest(document, annotation)})
    return dict(document, metadata=metadata)


def holds(existing, desired):
    """Whether `existing` already has every field of `desired` with its value (None: the field is absent), lists
    item by item, so that applying `desired` as a patch would leave it as it is. kubernetes.core learns that only by
    sending the patch (a request and an admission per object), and Ansible's dict_merge would set a None."""
    if isinstance(desired, dict):
        return isinstance(existing, dict) and all(
            existing.get(key) is None if value is None else key in existing and holds(existing[key], value)
            for key, value in desired.items())
    if isinstance(desired, list):
        return (isinstance(existing, list) and len(existing) == len(desired)
                and all(holds(have, want) for have, want in zip(existing, desired)))
    return existing == desired


def _live_digest(live, annotation):
    return ((live or {}).get("metadata", {}).get("annotations") or {}).get(annotation)


def body(document):
    """A document without apiVersion and kind, which the items of a list do not repeat."""
    return {key: value for key, value in document.items() if key not in ("apiVersion", "kind")}


def to_apply(documents, compared_kinds, live_at, held=False, annotation=DIGEST_ANNOTATION):
    """(documents to apply, names left out). A document of a compared kind, stamped, is left out when live_at(document)
    (the {name: object} of its kind and namespace on the cluster, metadata only) holds its digest; with `held`, every
    other document too, stamped, when its object (whole) holds its digest and every one of its fields. Without
    `held` every other document is returned as it is. The digest is in `annotation` (stamped())."""
    selected, unchanged = [], []
    for document in documents:
        compared = document["kind"] in compared_kinds
        if not compared and not held:
            selected.append(document)
            continue
        stamp = stamped(document, annotation)
        live = live_at(document, compared).get(document["metadata"]["name"])
        if _live_digest(live, annotation) == stamp["metadata"]["annotations"][annotation] and (compared or holds(live, body(stamp))):
            unchanged.append("{0}/{1}".format(document["kind"], document["metadata"]["name"]))
        else:
            selected.append(stamp)
    return selected, unchanged
