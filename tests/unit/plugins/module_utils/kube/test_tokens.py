"""Which token Secret is in use, found from the copy the other cluster holds."""

import base64
import json

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.tokens import (
    claims,
    current_anchor,
    current_token_secret,
    rotated_name,
)


def _token(name, token):
    return {"metadata": {"name": name}, "data": {"token": base64.b64encode(token.encode()).decode()}}


def test_current_token_is_the_one_the_hub_holds():
    canonical = "argocd-manager-long-lived-token"
    rotated = canonical + "-a1b2c3"
    secrets = [_token(canonical, "old"), _token(rotated, "new")]
    assert current_token_secret(secrets, "new", canonical)["metadata"]["name"] == rotated
    # A hub that holds none of them (first registration, or a restored hub): the canonical Secret.
    assert current_token_secret(secrets, "other", canonical)["metadata"]["name"] == canonical
    assert current_token_secret(secrets, None, canonical)["metadata"]["name"] == canonical
    assert current_token_secret([_token(rotated, "new")], None, canonical) is None


def test_rotated_names_are_new_each_time():
    assert rotated_name("karmada-spoke-1").startswith("karmada-spoke-1-")
    assert rotated_name("a") != rotated_name("a")


def jwt(payload):
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return "eyJhbGciOiJSUzI1NiJ9.{0}.c2ln".format(encoded)


def bound(secret, exp, account="argocd-manager"):
    return jwt({"exp": exp, "kubernetes.io": {"namespace": "kube-system", "serviceaccount": {"name": account},
                                              "secret": {"name": secret}}})


def test_a_bound_token_is_kept_while_a_third_of_its_life_is_left():
    anchors = [{"metadata": {"name": "argocd-manager-token-anchor-a1"}}]
    day = 86400
    assert current_anchor(bound("argocd-manager-token-anchor-a1", 100 + 11 * day), anchors, "argocd-manager", 30 * day,
                          now=100) == anchors[0]
    assert current_anchor(bound("argocd-manager-token-anchor-a1", 100 + 9 * day), anchors, "argocd-manager", 30 * day,
                          now=100) is None  # due for renewal
    assert current_anchor(bound("gone", 100 + 20 * day), anchors, "argocd-manager", 30 * day, now=100) is None
    assert current_anchor(bound("argocd-manager-token-anchor-a1", 100 + 20 * day, "other"), anchors,
                          "argocd-manager", 30 * day, now=100) is None
    assert current_anchor("not-a-jwt", anchors, "argocd-manager", 30 * day) is None
    assert claims("a.b") == {}
