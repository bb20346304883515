# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Register a spoke cluster to an Argo CD hub, as `argocd cluster add` does, declaratively.

Spoke (argo-cd util/clusterauth): ServiceAccount argocd-manager in kube-system, ClusterRole
argocd-manager-role + ClusterRoleBinding argocd-manager-role-binding (or a Role and RoleBinding of
the same names per namespace), and a long-lived kubernetes.io/service-account-token Secret.
Hub (argo-cd util/db): the cluster Secret `cluster-<host>-<fnv32a(server)>` labelled
argocd.argoproj.io/secret-type=cluster with name, server, config and the optional fields.
Every object goes through kubernetes.core's perform_action, so check mode (server-side dry run)
and diffs behave as in kubernetes.core.k8s; the hub Secret's data never appears in a diff.
"""

import base64
import json
import time
from urllib.parse import urlsplit

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.runner import perform_action

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd_cluster_secret import SECRET_TYPE_LABEL

HIDDEN = "VALUE_HIDDEN"
FULL_ACCESS = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
               {"nonResourceURLs": ["*"], "verbs": ["*"]}]
READ_ONLY = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]},
             {"nonResourceURLs": ["*"], "verbs": ["get"]}]


class RegistrationError(Exception):
    """A condition the user must fix; the message names the cluster and what to do."""


def fnv32a(text):
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def secret_name_for(server):
    """Argo CD's URIToSecretName("cluster", server): cluster-<host without port>-<fnv32a of the URL>."""
    host = urlsplit(server).netloc
    if host.startswith("["):
        host = host[1:host.index("]")].replace(":", "-")
    else:
        host = host.split(":", 1)[0]
    return "cluster-{0}-{1}".format(host.lower(), fnv32a(server))


def _rules(params):
    if params["rbac"] == "read-only":
        return READ_ONLY
    if params["rbac"] == "custom":
        if not params.get("rules"):
            raise RegistrationError("rbac=custom needs `rules`")
        return params["rules"]
    return FULL_ACCESS


def spoke_objects(params):
    """The spoke's ServiceAccount, RBAC and token Secret, in the order they are created."""
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
    objects.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                    "metadata": {"name": "{0}-long-lived-token".format(sa), "namespace": system_ns,
                                 "annotations": {"kubernetes.io/service-account.name": sa}}})
    return objects


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def hub_secret(params, server, token, ca_data, existing_labels=None):
    """The Argo CD cluster Secret. Labels the hub has but the inventory no longer sets are removed."""
    tls = {"insecure": not ca_data}
    if ca_data:
        tls["caData"] = ca_data
    config = {"bearerToken": token, "tlsClientConfig": tls}
    data = {"name": params["name"], "server": server, "config": json.dumps(config, sort_keys=True)}
    if params["namespaces"]:
        data["namespaces"] = ",".join(params["namespaces"])
        if params["cluster_resources"]:
            data["clusterResources"] = "true"
    if params["project"]:
        data["project"] = params["project"]
    if params["shard"] is not None:
        data["shard"] = str(params["shard"])
    labels = {k: None for k in (existing_labels or {}) if k != SECRET_TYPE_LABEL}
    labels.update(params["labels"] or {})
    labels[SECRET_TYPE_LABEL] = "cluster"
    annotations = dict(params["annotations"] or {}, **{"managed-by": "argocd.argoproj.io"})
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": secret_name_for(server), "namespace": params["argocd_namespace"],
                         "labels": labels, "annotations": annotations},
            "data": {k: _b64(v) for k, v in data.items()}}


def _mask(obj):
    if isinstance(obj, dict) and isinstance(obj.get("data"), dict):
        obj["data"] = {k: HIDDEN for k in obj["data"]}
    return obj


def mask_secret_result(result):
    """Neither the result nor the diff of the hub Secret may carry the token."""
    _mask(result.get("result") or {})
    for side in ("before", "after"):
        _mask((result.get("diff") or {}).get(side) or {})
    return result


class Registration:
    def __init__(self, module, spoke_svc, hub_svc):
        self.module = module
        self.params = module.params
        self.spoke = spoke_svc
        self.hub = hub_svc

    def _apply(self, svc, definition, state="present"):
        return perform_action(svc, definition, {"state": state})

    def _get(self, svc, definition):
        resource = svc.find_resource(definition["kind"], definition["apiVersion"], fail=True)
        found = svc.retrieve(resource, definition)
        return found.to_dict() if found else None

    def _wait_for_token(self, token_secret, timeout):
        deadline = time.monotonic() + timeout
        while True:
            found = self._get(self.spoke, token_secret) or {}
            token = (found.get("data") or {}).get("token")
            if token:
                return base64.b64decode(token).decode()
            if time.monotonic() > deadline:
                raise RegistrationError("the token controller did not fill Secret {0}/{1} within {2}s".format(
                    token_secret["metadata"]["namespace"], token_secret["metadata"]["name"], timeout))
            time.sleep(0.5)

    def _check_hub(self, server):
        """Argo CD must be installed, and no other server may already use this cluster name."""
        namespace = self.params["argocd_namespace"]
        if not self._get(self.hub, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}):
            raise RegistrationError("the hub has no namespace {0!r}: install Argo CD there first "
                                    "(or set argocd_namespace)".format(namespace))
        resource = self.hub.find_resource("Secret", "v1", fail=True)
        secrets = self.hub.client.get(resource, namespace=namespace,
                                      label_selector="{0}=cluster".format(SECRET_TYPE_LABEL)).to_dict()
        for secret in secrets.get("items", []):
            data = secret.get("data") or {}
            other = base64.b64decode(data.get("server", "")).decode().rstrip("/")
            if base64.b64decode(data.get("name", "")).decode() == self.params["name"] and other != server:
                raise RegistrationError("cluster name {0!r} is already registered on the hub for {1} "
                                        "(Secret {2}); choose another name".format(
                                            self.params["name"], other, secret["metadata"]["name"]))

    def present(self, server, ca_data):
        self._check_hub(server)
        objects = spoke_objects(self.params)
        results = [self._apply(self.spoke, obj) for obj in objects]
        changed = any(r["changed"] for r in results)
        if self.module.check_mode and not self._get(self.spoke, objects[-1]):
            # Nothing exists yet on the spoke, so no token can be read: the hub Secret would be created.
            return {"changed": True, "secret_name": secret_name_for(server), "server": server}
        token = self._wait_for_token(objects[-1], self.params["wait_timeout"])
        name = secret_name_for(server)
        existing = self._get(self.hub, {"apiVersion": "v1", "kind": "Secret",
                                        "metadata": {"name": name, "namespace": self.params["argocd_namespace"]}})
        definition = hub_secret(self.params, server, token, ca_data,
                                ((existing or {}).get("metadata") or {}).get("labels"))
        hub_result = mask_secret_result(self._apply(self.hub, definition))
        result = {"changed": changed or hub_result["changed"], "secret_name": name, "server": server,
                  "hub_secret": hub_result.get("result")}
        if "diff" in hub_result:
            result["diff"] = hub_result["diff"]
        return result

    def absent(self, server):
        name = secret_name_for(server)
        hub_secret_ref = {"apiVersion": "v1", "kind": "Secret",
                          "metadata": {"name": name, "namespace": self.params["argocd_namespace"]}}
        results = [self._apply(self.hub, hub_secret_ref, "absent")]
        results += [self._apply(self.spoke, obj, "absent") for obj in reversed(spoke_objects(self.params))]
        return {"changed": any(r["changed"] for r in results), "secret_name": name, "server": server}
