# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Register a spoke cluster to an Argo CD hub, as `argocd cluster add` does, declaratively.

Spoke (argo-cd util/clusterauth): ServiceAccount argocd-manager in kube-system, ClusterRole
argocd-manager-role + ClusterRoleBinding argocd-manager-role-binding (or a Role and RoleBinding of
the same names per namespace), and a long-lived kubernetes.io/service-account-token Secret.
Rotation (not in the CLI) creates a second token Secret `<sa>-long-lived-token-<suffix>`, points the
hub Secret at it, then deletes the previous one, which revokes its token. The token in use is
found by comparing the hub Secret's bearerToken with the spoke's token Secrets, so no state is
kept anywhere else.
Hub (argo-cd util/db): the cluster Secret, written and read by argocd/cluster_secret.py.
Every object goes through kubernetes.core's perform_action, so check mode (server-side dry run)
and diffs behave as in kubernetes.core.k8s; the hub Secret's data never appears in a diff.
"""

import base64
import re
import secrets
from datetime import datetime, timezone

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import objects, wait
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError, TokenNotReady
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import (
    SECRET_TYPE_LABEL,
    hub_secret,
    parse_cluster_secret,
    secret_name_for,
    tls_config_of,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.objects import SA_ANNOTATION, TOKEN_TYPE

# The argocd_cluster module's options (beside kubernetes.core's auth options and `hub`).
OPTIONS = dict(
    name=dict(type="str", required=True),
    server=dict(type="str"),
    argocd_namespace=dict(type="str", default="argocd"),
    labels=dict(type="dict", default={}),
    annotations=dict(type="dict", default={}),
    namespaces=dict(type="list", elements="str", default=[]),
    cluster_resources=dict(type="bool", default=False),
    project=dict(type="str"),
    shard=dict(type="int"),
    rbac=dict(type="str", choices=["full", "read-only", "custom"], default="full"),
    rules=dict(type="list", elements="dict"),
    service_account=dict(type="str", default="argocd-manager"),
    system_namespace=dict(type="str", default="kube-system"),
    rotate=dict(type="bool", default=False),
    token_max_age=dict(type="str", no_log=False),
    wait_timeout=dict(type="int", default=30),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
FULL_ACCESS = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
               {"nonResourceURLs": ["*"], "verbs": ["*"]}]
READ_ONLY = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]},
             {"nonResourceURLs": ["*"], "verbs": ["get"]}]
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class RegistrationError(ClusterError):
    """A condition the user must fix; the message names the cluster and what to do."""


class HubNotReady(Exception):
    """Check mode only: Argo CD's namespace is not there yet, as before a first install in the same run."""


def _rules(params):
    if params["rbac"] == "read-only":
        return READ_ONLY
    if params["rbac"] == "custom":
        if not params.get("rules"):
            raise RegistrationError("rbac=custom needs `rules`")
        return params["rules"]
    return FULL_ACCESS


def parse_duration(text):
    """Seconds in `90d`, `12h`, `30m`, `45s` or a plain number of seconds."""
    match = _DURATION.match(str(text))
    if not match:
        raise RegistrationError("token_max_age {0!r} is not a duration like 90d, 12h, 30m or 3600".format(text))
    return int(match.group(1)) * _SECONDS[match.group(2)]


def token_secret_name(params, suffix=None):
    base = "{0}-long-lived-token".format(params["service_account"])
    return "{0}-{1}".format(base, suffix) if suffix else base


def token_secret(params, name):
    return objects.token_secret(params["system_namespace"], name, params["service_account"])


def spoke_objects(params):
    """The spoke's ServiceAccount and RBAC, in the order they are created (the token Secret comes after)."""
    sa, system_ns = params["service_account"], params["system_namespace"]
    subject = [{"kind": "ServiceAccount", "name": sa, "namespace": system_ns}]
    objects = [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa, "namespace": system_ns}}]
    role_name, binding_name = "{0}-role".format(sa), "{0}-role-binding".format(sa)
    if params["namespaces"]:
        for namespace in params["namespaces"]:
            objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                            "metadata": {"name": role_name, "namespace": namespace},
                            "rules": [r for r in _rules(params) if "nonResourceURLs" not in r]})
            objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                            "metadata": {"name": binding_name, "namespace": namespace},
                            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
                            "subjects": subject})
    else:
        objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                        "metadata": {"name": role_name}, "rules": _rules(params)})
        objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                        "metadata": {"name": binding_name},
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
                        "subjects": subject})
    return objects


def _age_seconds(obj, now=None):
    created = datetime.strptime(obj["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    return ((now or datetime.now(timezone.utc)) - created.replace(tzinfo=timezone.utc)).total_seconds()


def current_token_secret(token_secrets, hub_token, canonical_name):
    """The token Secret the hub uses now: the one holding the hub's token, else the canonical one."""
    for secret in token_secrets:
        token = (secret.get("data") or {}).get("token")
        if hub_token and token and base64.b64decode(token).decode() == hub_token:
            return secret
    return next((s for s in token_secrets if s["metadata"]["name"] == canonical_name), None)


class Registration:
    def __init__(self, module, spoke_svc, hub_svc):
        self.module = module
        self.params = module.params
        self.spoke = spoke_svc
        self.hub = hub_svc

    def _token_secrets(self):
        """The spoke's long-lived token Secrets of our ServiceAccount (one, or two mid-rotation)."""
        prefix = token_secret_name(self.params)
        found = objects.list_items(self.spoke, "Secret", self.params["system_namespace"],
                                   field_selector="type={0}".format(TOKEN_TYPE))
        return [s for s in found
                if (s["metadata"].get("annotations") or {}).get(SA_ANNOTATION) == self.params["service_account"]
                and (s["metadata"]["name"] == prefix or s["metadata"]["name"].startswith(prefix + "-"))]

    def _wait_for_token(self, name, timeout):
        try:
            return wait.wait_for_token(self.spoke, token_secret(self.params, name), timeout)["token"]
        except TokenNotReady as err:
            raise RegistrationError(str(err)) from None

    def _hub_secret(self, server):
        """The hub's Secret for this server, or None, after checking the hub can take it:
        Argo CD's namespace exists and no other server already uses this cluster name."""
        namespace = self.params["argocd_namespace"]
        if not objects.get(self.hub, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}):
            if self.module.check_mode:
                raise HubNotReady(namespace)
            raise RegistrationError("the hub has no namespace {0!r}: install Argo CD there first "
                                    "(or set argocd_namespace)".format(namespace))
        mine = None
        for secret in objects.list_items(self.hub, "Secret", namespace, label_selector="{0}=cluster".format(SECRET_TYPE_LABEL)):
            data = secret.get("data") or {}
            other = base64.b64decode(data.get("server", "")).decode().rstrip("/")
            if secret["metadata"]["name"] == secret_name_for(server):
                mine = secret
            elif base64.b64decode(data.get("name", "")).decode() == self.params["name"] and other != server:
                raise RegistrationError("cluster name {0!r} is already registered on the hub for {1} "
                                        "(Secret {2}); choose another name".format(
                                            self.params["name"], other, secret["metadata"]["name"]))
        return mine

    def _rotation_due(self, current):
        if self.params["rotate"]:
            return True
        max_age = self.params["token_max_age"]
        return max_age is not None and _age_seconds(current) > parse_duration(max_age)

    def present(self, server, tls):
        try:
            existing = self._hub_secret(server)
        except HubNotReady as err:
            self.module.warn("the hub has no namespace {0!r} yet: the registration would follow "
                             "the Argo CD install".format(str(err)))
            return {"changed": True, "rotated": False, "secret_name": secret_name_for(server), "server": server}
        results = [objects.apply(self.spoke, obj) for obj in spoke_objects(self.params)]
        hub_token = parse_cluster_secret(existing)["config"].get("bearerToken") if existing else None
        current = current_token_secret(self._token_secrets(), hub_token, token_secret_name(self.params))
        rotated = current is not None and self._rotation_due(current)
        if current is None or rotated:
            name = token_secret_name(self.params, secrets.token_hex(3) if rotated else None)
            results.append(objects.apply(self.spoke, token_secret(self.params, name)))
            if self.module.check_mode:
                # The Secret was only dry-run created, so there is no token to put on the hub.
                return {"changed": True, "rotated": rotated, "secret_name": secret_name_for(server),
                        "server": server, "token_secret": name}
        else:
            name = current["metadata"]["name"]
        token = self._wait_for_token(name, self.params["wait_timeout"])
        definition = hub_secret(self.params, server, token, tls, ((existing or {}).get("metadata") or {}).get("labels"))
        hub_result = objects.hide_secret_data(objects.apply(self.hub, definition))
        if rotated:  # only after the hub holds the new token: deleting the Secret revokes the old one
            results.append(objects.apply(self.spoke, token_secret(self.params, current["metadata"]["name"]), "absent"))
        result = {"changed": hub_result["changed"] or any(r["changed"] for r in results), "rotated": rotated,
                  "secret_name": definition["metadata"]["name"], "server": server, "token_secret": name,
                  "hub_secret": hub_result.get("result")}
        if "diff" in hub_result:
            result["diff"] = hub_result["diff"]
        return result

    def absent(self, server):
        name = secret_name_for(server)
        hub_secret_ref = {"apiVersion": "v1", "kind": "Secret",
                          "metadata": {"name": name, "namespace": self.params["argocd_namespace"]}}
        results = [objects.apply(self.hub, hub_secret_ref, "absent")]
        results += [objects.apply(self.spoke, token_secret(self.params, s["metadata"]["name"]), "absent")
                    for s in self._token_secrets()]
        results += [objects.apply(self.spoke, obj, "absent") for obj in reversed(spoke_objects(self.params))]
        return {"changed": any(r["changed"] for r in results), "secret_name": name, "server": server}


def register(module, spoke, hub):
    """The argocd_cluster module's work, on the spoke's and the hub's K8sService: register, or deregister."""
    configuration = spoke.client.configuration
    server = (module.params["server"] or configuration.host).rstrip("/")
    registration = Registration(module, spoke, hub)
    if module.params["state"] == "absent":
        return registration.absent(server)
    return registration.present(server, tls_config_of(configuration))
