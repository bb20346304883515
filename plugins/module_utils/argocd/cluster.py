# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Register a spoke cluster to an Argo CD hub, as `argocd cluster add` does, declaratively.

Spoke (argo-cd util/clusterauth): ServiceAccount argocd-manager in kube-system, ClusterRole
argocd-manager-role + ClusterRoleBinding argocd-manager-role-binding (or a Role and RoleBinding of
the same names per namespace), and a long-lived kubernetes.io/service-account-token Secret.
Rotation (not in the CLI, kube/tokens.py) creates a second token Secret `<sa>-long-lived-token-<suffix>`,
points the hub Secret at it, then deletes every other one, which revokes their tokens. The token in use is
found by comparing the hub Secret's bearerToken with the spoke's token Secrets, so no state is
kept anywhere else. With token_expiration, the token is a bound one instead (TokenRequest, bound to an anchor
Secret whose deletion revokes it), renewed once less than a third of its life is left.
Hub (argo-cd util/db): the cluster Secret, written and read by argocd/cluster_secret.py.
Every object goes through kubernetes.core's perform_action, so check mode (server-side dry run)
and diffs behave as in kubernetes.core.k8s; the hub Secret's data never appears in a diff.
"""

import base64
import contextlib
import copy
import re
from datetime import datetime, timezone

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import objects, tokens, wait
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.applied import holds
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError, TokenNotReady
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.lease import Leases
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_rbac import rules, spoke_objects
from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import (
    SECRET_TYPE_LABEL,
    fnv32a,
    hub_secret,
    parse_cluster_secret,
    secret_name_for,
    tls_config_of,
)


# The argocd_cluster module's options (beside kubernetes.core's auth options and `hub`).
OPTIONS = dict(
    name=dict(type="str"),
    server=dict(type="str"),
    argocd_namespace=dict(type="str", default="argocd"),
    labels=dict(type="dict", default={}),
    annotations=dict(type="dict", default={}),
    namespaces=dict(type="list", elements="str", default=[]),
    cluster_resources=dict(type="bool", default=False),
    project=dict(type="str"),
    shard=dict(type="int"),
    rbac=dict(type="str", choices=["full", "gitops", "read-only", "custom"], default="full"),
    rules=dict(type="list", elements="dict"),
    service_account=dict(type="str", default="argocd-manager"),
    system_namespace=dict(type="str", default="kube-system"),
    rotate=dict(type="bool", default=False),
    token_max_age=dict(type="str", no_log=False),
    token_expiration=dict(type="str", no_log=False),
    allow_insecure=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=30),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
# A registration holds these for at most this long beyond its token wait: a run that died frees them by then.
LEASE_SECONDS = 120
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class RegistrationError(ClusterError):
    """A condition the user must fix; the message names the cluster and what to do."""


class HubNotReady(Exception):
    """Check mode only: Argo CD's namespace is not there yet, as before a first install in the same run."""


class HubSecretChanged(Exception):
    """The hub Secret changed between this run's read and its write (409): read again and redo."""


def _conflict(err):
    return getattr(err.__cause__, "status", None) == 409


def parse_duration(text):
    """Seconds in `90d`, `12h`, `30m`, `45s` or a plain number of seconds."""
    match = _DURATION.match(str(text))
    if not match:
        raise RegistrationError("token_max_age {0!r} is not a duration like 90d, 12h, 30m or 3600".format(text))
    return int(match.group(1)) * _SECONDS[match.group(2)]


def token_secret_name(params):
    return "{0}-long-lived-token".format(params["service_account"])


def token_secret(params, name):
    return objects.token_secret(params["system_namespace"], name, params["service_account"])


def cluster_secrets(hub_svc, namespace):
    """The Argo CD cluster Secrets of the hub."""
    return objects.list_items(hub_svc, "Secret", namespace, label_selector="{0}=cluster".format(SECRET_TYPE_LABEL))


def _has_namespace(hub_svc, namespace):
    return bool(objects.get(hub_svc, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}))


def hub_view(hub_svc, namespace):
    """What every registration to a hub reads first, read once for a run that registers many spokes
    (argocd/cluster_fleet.py): whether Argo CD's namespace exists, and the hub's cluster Secrets."""
    if not _has_namespace(hub_svc, namespace):
        return {"namespace": False, "secrets": []}
    return {"namespace": True, "secrets": cluster_secrets(hub_svc, namespace)}


def _expiry(token):
    return datetime.fromtimestamp(tokens.claims(token).get("exp", 0), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _age_seconds(obj, now=None):
    created = datetime.strptime(obj["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    return ((now or datetime.now(timezone.utc)) - created.replace(tzinfo=timezone.utc)).total_seconds()


class Registration:
    """One spoke's registration. Every change runs holding the hub's Leases for its server and its name
    (kube/lease.py), so two runs for the same spoke, or for the same name, take turns; the hub Secret is
    written only if it is still as read (its resourceVersion), else read again and redone. `view` (hub_view()),
    when given, answers the reads that decide whether there is anything to do; every write reads afresh."""

    def __init__(self, module, spoke_svc, hub_svc, view=None):
        self.module = module
        self.params = module.params
        self.spoke = spoke_svc
        self.hub = hub_svc
        self.view = view

    def _token_secrets(self):
        """The spoke's long-lived token Secrets of our ServiceAccount (one, or two mid-rotation)."""
        return tokens.token_secrets_of(self.spoke, self.params["system_namespace"], self.params["service_account"],
                                       token_secret_name(self.params))

    def _wait_for_token(self, name, timeout):
        try:
            return wait.wait_for_token(self.spoke, token_secret(self.params, name), timeout)["token"]
        except TokenNotReady as err:
            raise RegistrationError(str(err)) from None

    def _hub_ready(self):
        """Whether Argo CD's namespace exists; a RegistrationError when it does not, except in check mode."""
        namespace = self.params["argocd_namespace"]
        if self.view["namespace"] if self.view else _has_namespace(self.hub, namespace):
            return True
        if self.module.check_mode:
            return False
        raise RegistrationError("the hub has no namespace {0!r}: install Argo CD there first "
                                "(or set argocd_namespace)".format(namespace))

    def _exclusive(self, server):
        """The Leases of this server and this name on the hub; nothing in check mode, which changes nothing."""
        if self.module.check_mode:
            return contextlib.nullcontext()
        names = [secret_name_for(server), "cluster-name-{0}".format(fnv32a(self.params["name"]))]
        return Leases(self.hub, self.params["argocd_namespace"], ["hubspoke-{0}".format(n) for n in names],
                      LEASE_SECONDS + self.params["wait_timeout"], LEASE_SECONDS + self.params["wait_timeout"])

    def _hub_secret(self, server, secrets=None):
        """The hub's Secret for this server, or None, after refusing a name or a server registered as another;
        among `secrets` when given, else as the hub has them now."""
        namespace, name = self.params["argocd_namespace"], self.params["name"]
        mine = None
        for secret in cluster_secrets(self.hub, namespace) if secrets is None else secrets:
            data = secret.get("data") or {}
            other_server = base64.b64decode(data.get("server", "")).decode().rstrip("/")
            other_name = base64.b64decode(data.get("name", "")).decode()
            if secret["metadata"]["name"] == secret_name_for(server) or other_server == server:
                if other_name and other_name != name:
                    raise RegistrationError("server {0} is already registered on the hub as {1!r} (Secret {2}); "
                                            "set name: {1} or deregister that one first".format(
                                                server, other_name, secret["metadata"]["name"]))
                mine = secret
            elif other_name == name:
                raise RegistrationError("cluster name {0!r} is already registered on the hub for {1} "
                                        "(Secret {2}); choose another name".format(
                                            name, other_server, secret["metadata"]["name"]))
        return mine

    def _rotation_due(self, current):
        if self.params["rotate"]:
            return True
        max_age = self.params["token_max_age"]
        return max_age is not None and _age_seconds(current) > parse_duration(max_age)

    def _checked_tls(self, tls):
        if tls.get("insecure") and not self.params["allow_insecure"]:
            raise RegistrationError("the spoke connection does not verify TLS (validate_certs: false or "
                                    "insecure-skip-tls-verify), and Argo CD would then reach the spoke unverified "
                                    "too: give the spoke's CA, or set allow_insecure: true to register it so")
        if tls.get("insecure"):
            self.module.warn("registering the spoke with TLS verification off (allow_insecure): Argo CD will not "
                             "verify the spoke's certificate")
        return tls

    def present(self, server, tls):
        # Everything the user stated is checked before anything is written anywhere.
        tls = self._checked_tls(tls)
        rules(self.params)
        if self.params["token_max_age"] is not None:
            parse_duration(self.params["token_max_age"])
        if self.params["token_expiration"] and parse_duration(self.params["token_expiration"]) < tokens.MIN_SECONDS:
            raise RegistrationError("token_expiration must be at least 10m (the API server's minimum)")
        if not self._hub_ready():
            self.module.warn("the hub has no namespace {0!r} yet: the registration would follow "
                             "the Argo CD install".format(self.params["argocd_namespace"]))
            return {"changed": True, "rotated": False, "secret_name": secret_name_for(server), "server": server,
                    "insecure": tls["insecure"]}
        settled = self._settled(server, tls)
        if settled is not None:
            return dict(settled, insecure=tls["insecure"])
        with self._exclusive(server):
            for _attempt in range(3):
                try:
                    return dict(self._present(server, tls), insecure=tls["insecure"])
                except HubSecretChanged:
                    continue
        raise RegistrationError("the hub Secret {0} kept changing while this run wrote it: is another tool "
                                "writing it?".format(secret_name_for(server)))

    def _settled(self, server, tls):
        """The result of a run with nothing to do, found by reads alone, else None. A registration in shape takes
        no Lease and writes nothing: a patch that changes nothing still costs an admission per object, and the
        Leases two writes each, for every spoke on every run."""
        if self.params["rotate"]:
            return None
        existing = self._hub_secret(server, self.view["secrets"] if self.view else None)
        if existing is None:
            return None
        if not all(objects.in_place(self.spoke, obj) for obj in spoke_objects(self.params)):
            return None
        hub_token = parse_cluster_secret(existing)["config"].get("bearerToken")
        ns, sa = self.params["system_namespace"], self.params["service_account"]
        held = self._token_secrets() + tokens.anchors_of(self.spoke, ns, sa)
        if self.params["token_expiration"]:
            current = tokens.current_anchor(hub_token, held, sa, parse_duration(self.params["token_expiration"]))
        else:
            current = tokens.current_token_secret(held, hub_token, token_secret_name(self.params))
            token = ((current or {}).get("data") or {}).get("token")
            if not token or base64.b64decode(token).decode() != hub_token or self._rotation_due(current):
                return None
        # Every other token Secret or anchor of the ServiceAccount would be revoked, a Secret out of shape rewritten.
        if current is None or len(held) != 1:
            return None
        labels = (existing.get("metadata") or {}).get("labels")
        if not holds(existing, hub_secret(self.params, server, hub_token, tls, labels)):
            return None
        result = self._result(False, server, current["metadata"]["name"], False, hub_token,
                              objects.public_view({"result": copy.deepcopy(existing)})["result"])
        if self.module._diff:  # pylint: disable=protected-access  # as kubernetes.core's runner reads it
            result["diff"] = {}
        return result

    def _result(self, changed, server, in_use, rotated, token, hub_secret_view):
        result = {"changed": changed, "rotated": rotated, "secret_name": secret_name_for(server), "server": server,
                  "token_secret": in_use, "hub_secret": hub_secret_view}
        if self.params["token_expiration"]:
            result["token_expires"] = _expiry(token)
        return result

    def _long_lived_token(self, hub_token, results):
        """(token, its Secret's name, rotated); token None in check mode when a new Secret would be made."""
        current = tokens.current_token_secret(self._token_secrets(), hub_token, token_secret_name(self.params))
        rotated = current is not None and self._rotation_due(current)
        if current is not None and not rotated:
            name = current["metadata"]["name"]
        else:
            name = tokens.rotated_name(token_secret_name(self.params)) if rotated else token_secret_name(self.params)
            results.append(objects.apply(self.spoke, token_secret(self.params, name)))
            if self.module.check_mode:
                return None, name, rotated  # only dry-run created: there is no token to put on the hub
        return self._wait_for_token(name, self.params["wait_timeout"]), name, rotated

    def _bound_token(self, hub_token, results):
        """(token, its anchor Secret's name, rotated): the hub's while more than a third of its life is left,
        else a new one (TokenRequest) bound to a new anchor."""
        ns, sa = self.params["system_namespace"], self.params["service_account"]
        lifetime = parse_duration(self.params["token_expiration"])
        current = tokens.current_anchor(hub_token, tokens.anchors_of(self.spoke, ns, sa), sa, lifetime)
        if current is not None and not self.params["rotate"]:
            return hub_token, current["metadata"]["name"], False
        renewed = bool((tokens.claims(hub_token).get("kubernetes.io") or {}).get("secret"))  # the hub held one
        name = tokens.rotated_name("{0}-token-anchor".format(sa))
        results.append(objects.apply(self.spoke, tokens.anchor_secret(ns, name, sa)))
        if self.module.check_mode:
            return None, name, renewed
        return tokens.request_bound_token(self.spoke, ns, sa, results[-1]["result"], lifetime), name, renewed

    def _revoke_all_but(self, name):
        """Delete every token Secret and anchor of the ServiceAccount but `name`: revokes their tokens."""
        ns, sa = self.params["system_namespace"], self.params["service_account"]
        others = [token_secret(self.params, s["metadata"]["name"]) for s in self._token_secrets()]
        others += [tokens.anchor_secret(ns, a["metadata"]["name"], sa) for a in tokens.anchors_of(self.spoke, ns, sa)]
        return [objects.apply(self.spoke, obj, "absent") for obj in others if obj["metadata"]["name"] != name]

    def _present(self, server, tls):
        existing = self._hub_secret(server)
        results = [objects.apply(self.spoke, obj) for obj in spoke_objects(self.params)]
        hub_token = parse_cluster_secret(existing)["config"].get("bearerToken") if existing else None
        issue = self._bound_token if self.params["token_expiration"] else self._long_lived_token
        token, name, rotated = issue(hub_token, results)
        if token is None:
            return {"changed": True, "rotated": rotated, "secret_name": secret_name_for(server),
                    "server": server, "token_secret": name}
        hub_result = self._write_hub_secret(server, token, tls, existing)
        # Only once the hub holds the token in use: every other token Secret and anchor of the ServiceAccount
        # goes, which revokes the previous token of a rotation and any a failed run left behind.
        results += self._revoke_all_but(name)
        result = self._result(hub_result["changed"] or any(r["changed"] for r in results), server, name, rotated,
                              token, hub_result.get("result"))
        if "diff" in hub_result:
            result["diff"] = hub_result["diff"]
        return result

    def _write_hub_secret(self, server, token, tls, existing):
        """Apply the hub Secret, only over the version read (resourceVersion); HubSecretChanged if it moved."""
        definition = hub_secret(self.params, server, token, tls, ((existing or {}).get("metadata") or {}).get("labels"))
        if existing:
            definition["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"]
        try:
            result = objects.apply(self.hub, definition)
        except CoreException as err:
            if _conflict(err):
                raise HubSecretChanged() from err
            raise
        if not existing and not result.get("result") and not self.module.check_mode:
            raise HubSecretChanged()  # kubernetes.core turns a 409 on create into an empty result
        return objects.public_view(result)

    def absent(self, server, spoke_reachable=True):
        name = secret_name_for(server)
        hub_secret_ref = {"apiVersion": "v1", "kind": "Secret",
                          "metadata": {"name": name, "namespace": self.params["argocd_namespace"]}}
        with self._exclusive(server):
            results = [objects.apply(self.hub, hub_secret_ref, "absent")]
            if spoke_reachable:
                results += self._revoke_all_but(None)
                results += [objects.apply(self.spoke, obj, "absent") for obj in reversed(spoke_objects(self.params))]
        return {"changed": any(r["changed"] for r in results), "secret_name": name, "server": server}


def register(module, spoke, hub, view=None):
    """The argocd_cluster module's work, on the spoke's and the hub's K8sService: register, or deregister."""
    configuration = spoke.client.configuration
    server = (module.params["server"] or configuration.host).rstrip("/")
    registration = Registration(module, spoke, hub, view)
    if module.params["state"] == "absent":
        return registration.absent(server)
    return registration.present(server, tls_config_of(configuration))


def spoke_leftovers(params):
    """What a deregistration leaves on a spoke it could not reach, as `Kind namespace/name`."""
    tokens_left = "the token Secrets {0}/{1}*".format(params["system_namespace"], token_secret_name(params))
    return [objects.reference(obj) for obj in spoke_objects(params)] + [tokens_left]


def deregister_unreachable(module, hub, unreachable):
    """state=absent for a spoke that does not answer: the hub's Secret goes (Argo CD stops using the spoke), and
    the result and a warning say what stays on the spoke. Any other state fails as the spoke is unreachable."""
    if module.params["state"] != "absent":
        raise unreachable
    server = (module.params["server"] or unreachable.host).rstrip("/")
    result = Registration(module, None, hub).absent(server, spoke_reachable=False)
    left = spoke_leftovers(module.params)
    module.warn("{0}; removed the hub's Secret {1} only. Left on the spoke, to delete once it is back (or rerun "
                "then): {2}".format(unreachable, result["secret_name"], ", ".join(left)))
    return dict(result, spoke_reachable=False, left_on_spoke=left)
