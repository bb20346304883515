# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's declarative cluster Secret (argo-cd util/db/cluster.go), read into plain data.

Secret data: name, server, config (JSON: bearerToken, username/password, tlsClientConfig with
caData/certData/keyData base64, insecure, serverName, execProviderConfig...), namespaces,
clusterResources, project, shard. Labels argocd.argoproj.io/secret-type=cluster mark it.
"""

import base64
import json

SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
# Bookkeeping that is not the user's: left out of labels/annotations reported for a cluster.
_SYSTEM_LABELS = {SECRET_TYPE_LABEL}
_SYSTEM_ANNOTATIONS = {"managed-by", "kubectl.kubernetes.io/last-applied-configuration"}


def _decode(data, key):
    value = (data or {}).get(key)
    return base64.b64decode(value).decode() if value else None


def parse_cluster_secret(secret):
    """The cluster a Secret (as JSON from the API) declares; `config` is decoded but never logged."""
    metadata = secret.get("metadata", {})
    data = secret.get("data") or {}
    server = _decode(data, "server")
    config = _decode(data, "config")
    namespaces = _decode(data, "namespaces")
    return {
        "secret_name": metadata.get("name"),
        "name": _decode(data, "name") or server,
        "server": server.rstrip("/") if server else server,
        "project": _decode(data, "project"),
        "shard": _decode(data, "shard"),
        "namespaces": [n for n in namespaces.split(",") if n] if namespaces else [],
        "cluster_resources": _decode(data, "clusterResources") == "true",
        "config": json.loads(config) if config else {},
        "labels": {k: v for k, v in (metadata.get("labels") or {}).items() if k not in _SYSTEM_LABELS},
        "annotations": {k: v for k, v in (metadata.get("annotations") or {}).items() if k not in _SYSTEM_ANNOTATIONS},
    }


def kubeconfig_from_config(name, server, config):
    """A kubeconfig dict that reaches the cluster exactly as Argo CD would with this `config`."""
    tls = config.get("tlsClientConfig") or {}
    cluster = {"server": server}
    if tls.get("caData"):
        cluster["certificate-authority-data"] = tls["caData"]
    if tls.get("insecure"):
        cluster["insecure-skip-tls-verify"] = True
    if tls.get("serverName"):
        cluster["tls-server-name"] = tls["serverName"]
    if config.get("proxyUrl"):
        cluster["proxy-url"] = config["proxyUrl"]
    user = {}
    if config.get("bearerToken"):
        user["token"] = config["bearerToken"]
    if config.get("username"):
        user["username"] = config["username"]
        user["password"] = config.get("password", "")
    if tls.get("certData"):
        user["client-certificate-data"] = tls["certData"]
        user["client-key-data"] = tls.get("keyData", "")
    exec_config = config.get("execProviderConfig")
    if exec_config:
        user["exec"] = {
            "apiVersion": exec_config.get("apiVersion", "client.authentication.k8s.io/v1beta1"),
            "command": exec_config.get("command"),
            "args": exec_config.get("args") or [],
            "env": [{"name": k, "value": v} for k, v in (exec_config.get("env") or {}).items()],
        }
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }
