# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a spoke grants Argo CD (argo-cd util/clusterauth): the argocd-manager ServiceAccount and its RBAC.

`full` is what `argocd cluster add` grants (every verb on every resource: cluster-admin in all but name), kept
for parity; `gitops` is the least-privilege preset for a typical GitOps spoke; `read-only` lets Argo CD show
and diff but never sync; `custom` takes the user's rules.
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError

FULL_ACCESS = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
               {"nonResourceURLs": ["*"], "verbs": ["*"]}]
READ_ONLY = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]},
             {"nonResourceURLs": ["*"], "verbs": ["get"]}]
# What a typical GitOps spoke needs: Argo CD's controller reads every kind (its cluster cache lists and watches
# them all) and writes the kinds applications are made of, namespaces included, and nothing cluster-wide
# beyond that: no ClusterRoles, CRDs, webhooks or nodes, and no Roles that could grant more than these rules.
_WRITE = ["create", "update", "patch", "delete"]
GITOPS = READ_ONLY + [
    {"apiGroups": [""], "resources": ["namespaces", "configmaps", "secrets", "services", "serviceaccounts",
                                      "persistentvolumeclaims", "limitranges", "resourcequotas"], "verbs": _WRITE},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets", "replicasets"],
     "verbs": _WRITE},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": _WRITE},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": _WRITE},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": _WRITE},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": _WRITE},
    {"apiGroups": ["argoproj.io"], "resources": ["rollouts"], "verbs": _WRITE},
]


def rules(params):
    """The rules of the `rbac` preset (or the `rules` of rbac=custom)."""
    if params["rbac"] == "read-only":
        return READ_ONLY
    if params["rbac"] == "gitops":
        return GITOPS
    if params["rbac"] == "custom":
        if not params.get("rules"):
            raise ClusterError("rbac=custom needs `rules`")
        return params["rules"]
    return FULL_ACCESS


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
                            "rules": [r for r in rules(params) if "nonResourceURLs" not in r]})
            objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                            "metadata": {"name": binding_name, "namespace": namespace},
                            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
                            "subjects": subject})
    else:
        objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                        "metadata": {"name": role_name}, "rules": rules(params)})
        objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                        "metadata": {"name": binding_name},
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
                        "subjects": subject})
    return objects
