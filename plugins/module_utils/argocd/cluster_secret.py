# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's declarative cluster Secret (argo-cd util/db/cluster.go): written, read, and turned into a kubeconfig.

The one place its format lives. Name `cluster-<host>-<fnv32a(server)>`; label
argocd.argoproj.io/secret-type=cluster; data: name, server, config (JSON: bearerToken, username/password,
tlsClientConfig with caData/certData/keyData base64, insecure, serverName, execProviderConfig...),
namespaces, clusterResources, project, shard.
"""

import base64
import json
from urllib.parse import urlsplit

SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
# Bookkeeping that is not the user's: left out of labels/annotations reported for a cluster.
_SYSTEM_LABELS = {SECRET_TYPE_LABEL}
_SYSTEM_ANNOTATIONS = {"managed-by", "kubectl.kubernetes.io/last-applied-configuration"}


def _decode(data, key):
    value = (data or {}).get(key)
    return base64.b64decode(value).decode() if value else None


def _config(text):
    try:
        return json.loads(text) if text else {}
    except ValueError as err:
        raise ValueError("its config is not JSON ({0})".format(err)) from None


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
        "config": _config(config),
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
    aws = config.get("awsAuthConfig")
    if aws and not exec_config:
        # What Argo CD's `argocd-k8s-auth aws` does, with the AWS CLI: an EKS token for the cluster (and role).
        exec_config = {"command": "aws", "args": ["eks", "get-token", "--cluster-name", aws.get("clusterName", "")]
                       + (["--role-arn", aws["roleARN"]] if aws.get("roleARN") else []),
                       "env": {"AWS_PROFILE": aws["profile"]} if aws.get("profile") else {}}
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


def tls_config_of(configuration):
    """tlsClientConfig for a kubernetes client Configuration, as Argo CD stores it: CA (base64 PEM) and TLS server
    name, or insecure when the connection does not verify TLS."""
    if not configuration.verify_ssl:
        return {"insecure": True}
    tls = {"insecure": False}
    if configuration.ssl_ca_cert:
        with open(configuration.ssl_ca_cert, "rb") as handle:
            tls["caData"] = base64.b64encode(handle.read()).decode()
    if getattr(configuration, "tls_server_name", None):
        tls["serverName"] = configuration.tls_server_name
    return tls


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def hub_secret(params, server, token, tls, existing_labels=None):
    """The Argo CD cluster Secret. Labels the hub has but the inventory no longer sets are removed."""
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
