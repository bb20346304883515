# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and applying objects through kubernetes.core's K8sService, for modules that work on two clusters.

One way to talk to the API for the collection's modules: kubernetes.core's service and runner (so discovery,
check mode and diffs are kubernetes.core's), with plain dicts in and out.

Applying goes through kubernetes.core's perform_action, so check mode (server-side dry run), diffs and
idempotence behave as in kubernetes.core.k8s.
"""

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.runner import perform_action

TOKEN_TYPE = "kubernetes.io/service-account-token"
SA_ANNOTATION = "kubernetes.io/service-account.name"
HIDDEN = "VALUE_HIDDEN"


def apply(svc, definition, state="present"):
    return perform_action(svc, definition, {"state": state})


def hide_secret_data(result):
    """An apply result whose object and diff carry no Secret values: every data and stringData value is replaced."""
    for obj in [result.get("result")] + [(result.get("diff") or {}).get(side) for side in ("before", "after")]:
        if isinstance(obj, dict):
            for key in ("data", "stringData"):
                if isinstance(obj.get(key), dict):
                    obj[key] = {k: HIDDEN for k in obj[key]}
    return result


def get(svc, definition):
    """The object as a dict, or None."""
    resource = svc.find_resource(definition["kind"], definition["apiVersion"], fail=True)
    found = svc.retrieve(resource, definition)
    return found.to_dict() if found else None


def list_items(svc, kind, namespace=None, api_version="v1", **selectors):
    resource = svc.find_resource(kind, api_version, fail=True)
    return svc.client.get(resource, namespace=namespace, **selectors).to_dict().get("items", [])


def token_secret(namespace, name, service_account, labels=None):
    """A long-lived kubernetes.io/service-account-token Secret; the token controller fills it."""
    metadata = {"name": name, "namespace": namespace, "annotations": {SA_ANNOTATION: service_account}}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Secret", "type": TOKEN_TYPE, "metadata": metadata}
