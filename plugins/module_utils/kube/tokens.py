# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Long-lived ServiceAccount tokens that another cluster holds, and their rotation without a gap.

A registration (Argo CD's hub, Karmada's control plane) keeps a copy of a token from a token Secret on the
cluster it reaches. Rotating creates a second token Secret `<canonical>-<suffix>`, switches the copy to its
token, and only then deletes every other token Secret of the ServiceAccount, which revokes their tokens. The
token in use is found by comparing the copy with the token Secrets, so no state is kept anywhere else.
"""

import base64
import json
import secrets
import time

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import objects
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.objects import SA_ANNOTATION, TOKEN_TYPE

try:
    import kubernetes
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    kubernetes = None


def token_secrets_of(svc, namespace, service_account, canonical_name):
    """The token Secrets of `service_account` named `canonical_name` or `canonical_name-<suffix>`."""
    found = objects.list_items(svc, "Secret", namespace, field_selector="type={0}".format(TOKEN_TYPE))
    return [s for s in found
            if (s["metadata"].get("annotations") or {}).get(SA_ANNOTATION) == service_account
            and (s["metadata"]["name"] == canonical_name or s["metadata"]["name"].startswith(canonical_name + "-"))]


def current_token_secret(token_secrets, held_token, canonical_name):
    """The token Secret whose token the other side holds now, else the canonical one, else None."""
    for secret in token_secrets:
        token = (secret.get("data") or {}).get("token")
        if held_token and token and base64.b64decode(token).decode() == held_token:
            return secret
    return next((s for s in token_secrets if s["metadata"]["name"] == canonical_name), None)


def rotated_name(canonical_name):
    """A new token Secret's name for a rotation."""
    return "{0}-{1}".format(canonical_name, secrets.token_hex(3))


# Bound tokens (TokenRequest): a token with an expiry, bound to an "anchor" Secret of its own, so deleting the
# anchor revokes the token as deleting a long-lived token Secret does. Which anchor a token is bound to, and
# when it expires, are claims of the token itself (read, not verified: it is the other side's own copy).
ANCHOR_LABEL = "multicluster.hubspoke.io/token-anchor"
MIN_SECONDS = 600  # the API server's minimum expirationSeconds


def claims(token):
    """The payload of a JWT as a dict ({} for anything else)."""
    try:
        payload = (token or "").split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def anchors_of(svc, namespace, service_account):
    return objects.list_items(svc, "Secret", namespace, label_selector="{0}={1}".format(ANCHOR_LABEL, service_account))


def anchor_secret(namespace, name, service_account):
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace, "labels": {ANCHOR_LABEL: service_account}}}


def current_anchor(held_token, anchors, service_account, lifetime, now=None):
    """The anchor the held token is bound to, if the token is this ServiceAccount's and has more than a third of
    `lifetime` seconds left; else None (a renewal is due)."""
    found = claims(held_token)
    identity = found.get("kubernetes.io") or {}
    if (identity.get("serviceaccount") or {}).get("name") != service_account:
        return None
    bound = (identity.get("secret") or {}).get("name")
    left = found.get("exp", 0) - (now if now is not None else time.time())
    return next((a for a in anchors if a["metadata"]["name"] == bound), None) if left > lifetime / 3 else None


def request_bound_token(svc, namespace, service_account, anchor, seconds):
    """A token of `service_account` valid for `seconds`, bound to the `anchor` Secret (a dict as stored)."""
    api = kubernetes.client.CoreV1Api(svc.client.client.client)
    request = {"spec": {"expirationSeconds": int(seconds), "boundObjectRef": {
        "kind": "Secret", "apiVersion": "v1", "name": anchor["metadata"]["name"], "uid": anchor["metadata"]["uid"]}}}
    return api.create_namespaced_service_account_token(service_account, namespace, request).status.token
