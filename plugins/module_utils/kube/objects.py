# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and applying objects through kubernetes.core's K8sService, for modules that work on two clusters.

One way to talk to the API for the collection's modules: kubernetes.core's service and runner (so discovery,
check mode and diffs are kubernetes.core's), with plain dicts in and out.

Applying goes through kubernetes.core's perform_action, so check mode (server-side dry run), diffs and
idempotence behave as in kubernetes.core.k8s.
"""

import base64

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.runner import perform_action

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.applied import holds

TOKEN_TYPE = "kubernetes.io/service-account-token"
SA_ANNOTATION = "kubernetes.io/service-account.name"
HIDDEN = "VALUE_HIDDEN"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def apply(svc, definition, state="present"):
    """kubernetes.core's perform_action. An object that goes between its read and its delete (Karmada removes a
    Cluster's Secrets itself when the Cluster goes) is absent as asked: kubernetes.core fails on the 404."""
    try:
        return perform_action(svc, definition, {"state": state})
    except CoreException as err:
        if state == "absent" and getattr(err.__cause__, "status", None) == 404:
            return {"changed": False, "result": {}}
        raise


def as_stored(definition):
    """A Secret's stringData as the API server stores it (base64 under data), to compare with what it holds."""
    if definition.get("kind") != "Secret" or not definition.get("stringData"):
        return definition
    stored = dict(definition)
    encoded = {key: base64.b64encode(value.encode()).decode() for key, value in stored.pop("stringData").items()}
    stored["data"] = dict(stored.get("data") or {}, **encoded)
    return stored


def apply_unless_held(svc, definition):
    """apply(), or, when the object already holds `definition` (holds()), kubernetes.core's result for a patch
    that changes nothing without sending it: one read instead of a read, a patch and its admission. An object
    that changes is read twice (here, then by kubernetes.core)."""
    existing = get(svc, definition)
    if existing is None or not holds(existing, as_stored(definition)):
        return apply(svc, definition)
    result = {"changed": False, "method": "update", "result": existing}
    if svc.module._diff:  # pylint: disable=protected-access  # as kubernetes.core's runner reads it
        result["diff"] = {}
    return result


def public_view(result):
    """An apply result fit to return and log: every Secret data and stringData value replaced, and the fields that
    can hold an earlier copy of them (managedFields, kubectl's last-applied-configuration) left out."""
    for obj in [result.get("result")] + [(result.get("diff") or {}).get(side) for side in ("before", "after")]:
        if not isinstance(obj, dict):
            continue
        for key in ("data", "stringData"):
            if isinstance(obj.get(key), dict):
                obj[key] = {k: HIDDEN for k in obj[key]}
        metadata = obj.get("metadata") or {}
        metadata.pop("managedFields", None)
        (metadata.get("annotations") or {}).pop(LAST_APPLIED, None)
    return result


def reference(obj):
    """`Kind namespace/name` (or `Kind name`) of an object, for messages."""
    metadata = obj["metadata"]
    return "{0} {1}".format(obj["kind"], "/".join(filter(None, (metadata.get("namespace"), metadata["name"]))))


def get(svc, definition):
    """The object as a dict, or None."""
    resource = svc.find_resource(definition["kind"], definition["apiVersion"], fail=True)
    found = svc.retrieve(resource, definition)
    return found.to_dict() if found else None


def in_place(svc, definition):
    """Whether the cluster holds `definition` already (holds()), found with one read."""
    existing = get(svc, definition)
    return existing is not None and holds(existing, definition)


def list_items(svc, kind, namespace=None, api_version="v1", **selectors):
    resource = svc.find_resource(kind, api_version, fail=True)
    return svc.client.get(resource, namespace=namespace, **selectors).to_dict().get("items", [])


def token_secret(namespace, name, service_account, labels=None):
    """A long-lived kubernetes.io/service-account-token Secret; the token controller fills it."""
    metadata = {"name": name, "namespace": namespace, "annotations": {SA_ANNOTATION: service_account}}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Secret", "type": TOKEN_TYPE, "metadata": metadata}
