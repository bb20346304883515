# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn a credential reference from the inventory into a kubeconfig dict, at task time.

The inventory stores only where a cluster's credentials live (an Argo CD cluster Secret, a Karmada
member Secret, a Cluster API `<name>-kubeconfig` Secret on a hub); this reads the Secret when a task
needs it, so no token is ever part of inventory output or its cache.
"""

import base64

import yaml

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import (
    kubeconfig_from_config,
    parse_cluster_secret,
)
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import kube
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.credential_policy import trusted_kubeconfig

KINDS = ("argocd", "karmada", "capi")
# Ansible masks every string of a no_log option (kubernetes.core's `kubeconfig` is one) wherever it
# appears in output: the kubeconfig's entries get a name no real data contains, not the cluster's name.
ENTRY_NAME = "hubspoke-credentials"


def _secret(ref):
    client = kube.client_for(ref.get("hub") or {})
    return kube.get_json(client, "/api/v1/namespaces/{0}/secrets/{1}".format(ref["namespace"], ref["name"]))


def _field(secret, key, ref):
    value = (secret.get("data") or {}).get(key)
    if not value:
        raise ClusterInventoryError("Secret {0}/{1} has no `{2}`".format(ref["namespace"], ref["name"], key))
    return base64.b64decode(value).decode()


def _kubeconfig(kind, secret, ref):
    if kind == "argocd":
        cluster = parse_cluster_secret(secret)
        return kubeconfig_from_config(ENTRY_NAME, cluster["server"], cluster["config"])
    if kind == "karmada":
        config = {"bearerToken": _field(secret, "token", ref), "tlsClientConfig": {"insecure": ref.get("insecure")}}
        ca = (secret.get("data") or {}).get("caBundle")
        if ca:
            config["tlsClientConfig"]["caData"] = ca
        return kubeconfig_from_config(ENTRY_NAME, ref["server"], config)
    try:
        return yaml.safe_load(_field(secret, "value", ref))
    except yaml.YAMLError as err:
        raise ClusterInventoryError("Secret {0}/{1}: `value` is not a kubeconfig: {2}".format(
            ref["namespace"], ref["name"], err)) from err


def kubeconfig_for(ref):
    """The kubeconfig of a credential reference, read from its Secret and kept to what only reaches the cluster
    (plugin_utils/credential_policy.py; `allow_exec` in the reference names the commands it may run)."""
    kind = ref.get("kind")
    if kind not in KINDS:
        raise ClusterInventoryError("credential kind must be one of {0}, got {1!r}".format(", ".join(KINDS), kind))
    doc = _kubeconfig(kind, _secret(ref), ref)
    where = "Secret {0}/{1} on the hub".format(ref["namespace"], ref["name"])
    return trusted_kubeconfig(doc, where, ref.get("allow_exec") or ())
