# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pull mode: the objects `karmadactl register` creates for karmada-agent, declaratively.

Control plane (pkg/karmadactl/register): ClusterRole and ClusterRoleBinding system:karmada:<cluster>:agent
(its own Cluster, Cluster creation, leases, events ...), Role and RoleBinding system:karmada:<cluster>:agent-work
in the execution namespace karmada-es-<cluster> (Works) and system:karmada:<cluster>:agent-secret in the
cluster namespace (the Cluster's Secrets). karmadactl binds them to a User whose client certificate it gets
through a CSR; here they are bound to a ServiceAccount karmada-agent-<cluster> of the control plane with a
long-lived token, so no certificate signer is needed and removal revokes the token.
Member: namespace karmada-system, Secret karmada-kubeconfig (the agent's kubeconfig for the control plane),
ClusterRole and ClusterRoleBinding karmada-agent (every resource), ServiceAccount karmada-agent-sa and the
karmada-agent Deployment with karmadactl's flags. The agent creates the Cluster (syncMode Pull) itself.
"""

import base64
import json

from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.names import RBAC, SYSTEM_LABELS

AGENT = "karmada-agent"
AGENT_NAMESPACE = "karmada-system"
AGENT_SERVICE_ACCOUNT = "karmada-agent-sa"
AGENT_KUBECONFIG = "karmada-kubeconfig"


def agent_identity(cluster):
    """The agent's ServiceAccount on the control plane."""
    return "karmada-agent-{0}".format(cluster)


def execution_namespace(cluster):
    return "karmada-es-{0}".format(cluster)


def _rule(groups, resources, verbs, names=None):
    rule = {"apiGroups": groups, "resources": resources, "verbs": verbs}
    if names:
        rule["resourceNames"] = names
    return rule


def _binding(kind, name, namespace, subject):
    meta = {"name": name, "labels": SYSTEM_LABELS}
    if namespace:
        meta["namespace"] = namespace
    role_kind = "ClusterRole" if kind == "ClusterRoleBinding" else "Role"
    return {"apiVersion": RBAC, "kind": kind, "metadata": meta, "subjects": [subject],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": name}}


def control_plane_objects(params):
    """The agent's identity and karmadactl register's RBAC on the control plane, in creation order."""
    name, ns = params["name"], params["cluster_namespace"]
    identity = agent_identity(name)
    subject = {"kind": "ServiceAccount", "name": identity, "namespace": ns}
    base = "system:karmada:{0}:agent".format(name)
    cluster_rules = [
        _rule(["cluster.karmada.io"], ["clusters"], ["get", "delete"], [name]),
        _rule(["cluster.karmada.io"], ["clusters"], ["create", "list", "watch"]),
        _rule(["cluster.karmada.io"], ["clusters/status"], ["update"], [name]),
        _rule(["config.karmada.io"], ["resourceinterpreterwebhookconfigurations",
                                      "resourceinterpretercustomizations"], ["get", "list", "watch"]),
        _rule([""], ["namespaces"], ["get"]),
        _rule(["coordination.k8s.io"], ["leases"], ["get", "create", "update"]),
        _rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["get", "create"]),
        _rule([""], ["services"], ["list", "watch"]),
        _rule([""], ["events"], ["patch", "create", "update"]),
    ]
    work_rules = [_rule(["work.karmada.io"], ["works"], ["get", "create", "list", "watch", "update", "delete"]),
                  _rule(["work.karmada.io"], ["works/status"], ["patch", "update"])]
    secret_rules = [_rule([""], ["secrets"], ["get", "patch"], [name, "{0}-impersonator".format(name)]),
                    _rule([""], ["secrets"], ["create"])]
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": SYSTEM_LABELS}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": execution_namespace(name)}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": identity, "namespace": ns,
                                                                    "labels": SYSTEM_LABELS}},
        {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": base, "labels": SYSTEM_LABELS},
         "rules": cluster_rules},
        _binding("ClusterRoleBinding", base, None, subject),
        {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": base + "-work", "namespace": execution_namespace(name),
                                                          "labels": SYSTEM_LABELS}, "rules": work_rules},
        _binding("RoleBinding", base + "-work", execution_namespace(name), subject),
        {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": base + "-secret", "namespace": ns,
                                                          "labels": SYSTEM_LABELS}, "rules": secret_rules},
        _binding("RoleBinding", base + "-secret", ns, subject),
    ]


def agent_kubeconfig(server, ca_pem, token, cluster):
    """The kubeconfig karmada-agent reads from the karmada-kubeconfig Secret (JSON, which is YAML too)."""
    user = agent_identity(cluster)
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "karmada",
        "clusters": [{"name": "karmada", "cluster": {
            "server": server, "certificate-authority-data": base64.b64encode(ca_pem.encode()).decode()}}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": "karmada", "context": {"cluster": "karmada", "user": user}}]}, indent=2)


def agent_arguments(params, endpoint):
    return ["/bin/karmada-agent", "--karmada-kubeconfig=/etc/kubeconfig/{0}".format(AGENT_KUBECONFIG),
            "--cluster-name={0}".format(params["name"]), "--cluster-api-endpoint={0}".format(endpoint),
            "--cluster-provider={0}".format(params["provider"] or ""),
            "--cluster-region={0}".format(params["region"] or ""),
            "--cluster-zones={0}".format(",".join(params["zones"] or [])),
            "--controllers=*", "--leader-elect-resource-namespace={0}".format(AGENT_NAMESPACE),
            "--cluster-namespace={0}".format(params["cluster_namespace"]),
            "--cluster-status-update-frequency=10s", "--metrics-bind-address=:8080",
            "--health-probe-bind-address=0.0.0.0:10357", "--v=2"]


def member_objects(params, endpoint, kubeconfig=None):
    """The agent on the member, in creation order; without `kubeconfig`, its Secret is left out (absent, check mode)."""
    labels = {"app": AGENT}
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": AGENT_NAMESPACE, "labels": SYSTEM_LABELS}}]
    if kubeconfig is not None:
        objs.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                     "metadata": {"name": AGENT_KUBECONFIG, "namespace": AGENT_NAMESPACE, "labels": SYSTEM_LABELS},
                     "stringData": {AGENT_KUBECONFIG: kubeconfig}})
    subject = {"kind": "ServiceAccount", "name": AGENT_SERVICE_ACCOUNT, "namespace": AGENT_NAMESPACE}
    objs += [
        {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": AGENT, "labels": SYSTEM_LABELS},
         "rules": [_rule(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["get"]}]},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": AGENT_SERVICE_ACCOUNT, "namespace": AGENT_NAMESPACE, "labels": SYSTEM_LABELS}},
        _binding("ClusterRoleBinding", AGENT, None, subject),
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": AGENT, "namespace": AGENT_NAMESPACE, "labels": labels},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels}, "spec": {
                      "serviceAccountName": AGENT_SERVICE_ACCOUNT,
                      "tolerations": [{"key": "node-role.kubernetes.io/master", "operator": "Exists"}],
                      "containers": [{"name": AGENT, "image": params["agent_image"],
                                      "command": agent_arguments(params, endpoint),
                                      "ports": [{"name": "metrics", "containerPort": 8080, "protocol": "TCP"}],
                                      "volumeMounts": [{"name": "kubeconfig", "mountPath": "/etc/kubeconfig"}]}],
                      "volumes": [{"name": "kubeconfig", "secret": {"secretName": AGENT_KUBECONFIG}}]}}}},
    ]
    return objs
