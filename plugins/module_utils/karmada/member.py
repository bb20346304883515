# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Join a member cluster to a Karmada control plane in Push mode, as `karmadactl join` does, declaratively.

Member (karmada pkg/util/credential.go): namespace karmada-cluster labelled karmada.io/system=true; the
ServiceAccount karmada-<cluster> bound to ClusterRole karmada-controller-manager:karmada-<cluster> (every
resource, and GET on every non-resource URL) and the ServiceAccount karmada-impersonator, each with a token
Secret of its own name.
Control plane: namespace karmada-cluster; Secrets <cluster> {caBundle, token} and <cluster>-impersonator
{token}, owned by the Cluster; the cluster.karmada.io/v1alpha1 Cluster with syncMode Push, apiEndpoint, id
(the member's kube-system UID), secretRef, impersonatorSecretRef, insecureSkipTLSVerification, provider,
region and zones. Beyond the CLI: the inventory's labels go on the Cluster and follow it on later runs (the
keys we set are kept in an annotation, so labels others set are left alone), and a second run changes
nothing instead of failing with "already exist".
Rotation (not in the CLI, kube/tokens.py): new token Secrets, the control plane's Secrets switched to them,
then the previous ones deleted, which revokes their tokens.
Unjoin (pkg/karmadactl/unjoin): delete the Cluster and wait until Karmada has cleaned up after it, then the
member's RBAC, ServiceAccounts and namespace (only if this collection created it: it carries OWNER_LABEL), and
the control plane's Secrets. A member that does not answer is unjoined on the control plane alone.
"""

import base64

from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada import agent as karmada_agent
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.names import CLUSTER_API, SYSTEM_LABELS
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import objects, tokens, wait
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError, TokenNotReady

LABELS_ANNOTATION = "multicluster.hubspoke.io/managed-labels"
# On the member's cluster namespace when the join created it: unjoin deletes only a namespace that has it.
OWNER_LABEL = {"app.kubernetes.io/managed-by": "hubspoke.multicluster"}
RULES = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["get"]}]
IMPERSONATOR = "karmada-impersonator"


# The karmada_member module's options (beside kubernetes.core's auth options and `control_plane`).
OPTIONS = dict(
    name=dict(type="str"),
    api_endpoint=dict(type="str"),
    labels=dict(type="dict", default={}),
    provider=dict(type="str"),
    region=dict(type="str"),
    zones=dict(type="list", elements="str"),
    cluster_namespace=dict(type="str", default="karmada-cluster"),
    sync_mode=dict(type="str", choices=["Push", "Pull"], default="Push"),
    agent_image=dict(type="str", default="docker.io/karmada/karmada-agent:v1.18.2"),
    control_plane_endpoint=dict(type="str"),
    impersonator=dict(type="bool", default=True),
    allow_insecure=dict(type="bool", default=False),
    rotate=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=60),
    wait_ready=dict(type="bool", default=False),
    ready_timeout=dict(type="int", default=120),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class JoinError(ClusterError):
    """A condition the user must fix; the message names the cluster and what to do."""


def service_account_name(cluster):
    return "karmada-{0}".format(cluster)


def role_name(cluster):
    return "karmada-controller-manager:{0}".format(service_account_name(cluster))


def member_objects(params, owned=True):
    """Namespace, ServiceAccounts, RBAC and token Secrets on the member, in creation order; the namespace carries
    OWNER_LABEL when `owned` (the join creates it), else it is a namespace that was there before."""
    ns, sa = params["cluster_namespace"], service_account_name(params["name"])
    labels = dict(SYSTEM_LABELS, **OWNER_LABEL) if owned else SYSTEM_LABELS
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}}]
    for account in ([IMPERSONATOR] if params["impersonator"] else []) + [sa]:
        objs.append({"apiVersion": "v1", "kind": "ServiceAccount",
                     "metadata": {"name": account, "namespace": ns, "labels": SYSTEM_LABELS}})
    objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                 "metadata": {"name": role_name(params["name"]), "labels": SYSTEM_LABELS}, "rules": RULES})
    objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                 "metadata": {"name": role_name(params["name"]), "labels": SYSTEM_LABELS},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                             "name": role_name(params["name"])},
                 "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": ns}]})
    return objs


def member_token_secrets(params):
    ns = params["cluster_namespace"]
    accounts = ([IMPERSONATOR] if params["impersonator"] else []) + [service_account_name(params["name"])]
    return [objects.token_secret(ns, account, account) for account in accounts]


def cluster_object(params, endpoint, cluster_id, insecure, existing=None):
    """The Cluster: karmadactl's spec, plus the inventory's labels. Labels we set before and the inventory
    dropped are removed; labels we never set are left alone."""
    ns, name = params["cluster_namespace"], params["name"]
    spec = {"syncMode": "Push", "apiEndpoint": endpoint, "id": cluster_id,
            "secretRef": {"namespace": ns, "name": name},
            "insecureSkipTLSVerification": insecure}
    if params["impersonator"]:
        spec["impersonatorSecretRef"] = {"namespace": ns, "name": "{0}-impersonator".format(name)}
    for key, option in (("provider", "provider"), ("region", "region"), ("zones", "zones")):
        if params[option]:
            spec[key] = params[option]
    return dict(cluster_labels(params, existing), spec=spec)


def cluster_labels(params, existing=None):
    """The Cluster's metadata as far as labels go: the inventory's, with the ones we set before and the inventory
    dropped set to null (removed); the keys we set are kept in an annotation, so labels others set stay."""
    previous = ((existing or {}).get("metadata", {}).get("annotations") or {}).get(LABELS_ANNOTATION, "")
    labels = {key: None for key in previous.split(",") if key}
    labels.update(params["labels"] or {})
    return {"apiVersion": CLUSTER_API, "kind": "Cluster",
            "metadata": {"name": params["name"], "labels": labels,
                         "annotations": {LABELS_ANNOTATION: ",".join(sorted(params["labels"] or {}))}}}


def control_plane_secrets(params, credentials, impersonator_token, owner=None):
    """The Secrets the Cluster's secretRef and impersonatorSecretRef name, owned by the Cluster once it exists."""
    ns, name = params["cluster_namespace"], params["name"]
    metadata = {"namespace": ns, "labels": SYSTEM_LABELS}
    if owner:
        metadata["ownerReferences"] = [{"apiVersion": CLUSTER_API, "kind": "Cluster", "name": owner["name"],
                                        "uid": owner["uid"], "controller": True, "blockOwnerDeletion": True}]
    secrets = [{"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": dict(metadata, name=name),
                "stringData": {"caBundle": credentials.get("ca.crt", ""), "token": credentials["token"]}}]
    if impersonator_token is not None:
        secrets.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                        "metadata": dict(metadata, name="{0}-impersonator".format(name)),
                        "stringData": {"token": impersonator_token}})
    return secrets


class Join:
    def __init__(self, module, member_svc, plane_svc):
        self.module = module
        self.params = module.params
        self.member = member_svc
        self.plane = plane_svc

    def _cluster_ref(self):
        return {"apiVersion": CLUSTER_API, "kind": "Cluster", "metadata": {"name": self.params["name"]}}

    def _existing_cluster(self, cluster_id):
        """The Cluster of this name, or None, after refusing a name or a member already joined as another."""
        if not self.plane.find_resource("Cluster", CLUSTER_API, fail=False):
            raise JoinError("the control plane serves no cluster.karmada.io API: is Karmada installed there, "
                            "and is `control_plane` its API server (not the host cluster)?")
        mine = None
        for cluster in objects.list_items(self.plane, "Cluster", api_version=CLUSTER_API):
            name, spec = cluster["metadata"]["name"], cluster.get("spec") or {}
            if name == self.params["name"]:
                mode = spec.get("syncMode", "Push")
                if mode != self.params["sync_mode"]:
                    raise JoinError("already joined in {0} mode; unjoin it (state=absent) before joining in {1} "
                                    "mode".format(mode, self.params["sync_mode"]))
                if spec.get("id") and spec["id"] != cluster_id:
                    raise JoinError("cluster name {0!r} is already used by another member ({1}); choose another "
                                    "name or unjoin that one".format(name, spec.get("apiEndpoint")))
                mine = cluster
            elif spec.get("id") == cluster_id:
                raise JoinError("this member is already joined as {0!r}; unjoin it first or use that name".format(name))
        return mine

    def _cluster_id(self):
        kube_system = objects.get(self.member, {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": "kube-system"}})
        return kube_system["metadata"]["uid"]

    def _dry_runnable(self, svc, objs):
        """In check mode, the objects a dry run can take: none in a namespace that does not exist yet (a dry
        run only pretends to create it)."""
        if not self.module.check_mode:
            return objs
        namespaces = {obj["metadata"]["namespace"] for obj in objs if "namespace" in obj["metadata"]}
        missing = {ns for ns in namespaces
                   if not objects.get(svc, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})}
        return [obj for obj in objs if obj["metadata"].get("namespace") not in missing]

    def _member_namespace(self):
        return objects.get(self.member, {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": self.params["cluster_namespace"]}})

    def _owns_namespace(self, namespace):
        labels = (namespace or {}).get("metadata", {}).get("labels") or {}
        return all(labels.get(k) == v for k, v in OWNER_LABEL.items())

    def present(self, endpoint, insecure, plane_server):
        if insecure and not self.params["allow_insecure"]:
            raise JoinError("the member connection does not verify TLS (validate_certs: false or "
                            "insecure-skip-tls-verify), and Karmada would then reach the member unverified too "
                            "(insecureSkipTLSVerification): give the member's CA, or set allow_insecure: true")
        if insecure:
            self.module.warn("joining {0} with insecureSkipTLSVerification (allow_insecure): Karmada will not "
                             "verify the member's certificate".format(self.params["name"]))
        cluster_id = self._cluster_id()
        existing = self._existing_cluster(cluster_id)
        if self.params["sync_mode"] == "Pull":
            return self._present_pull(endpoint, plane_server, cluster_id, existing)
        namespace = self._member_namespace()
        owned = namespace is None or self._owns_namespace(namespace)
        results = [objects.apply_unless_held(self.member, obj)
                   for obj in self._dry_runnable(self.member, member_objects(self.params, owned))]
        chosen = self._choose_tokens(namespace is not None)
        results += [objects.apply(self.member, secret) for secret in self._dry_runnable(
            self.member, [secret for secret, _found, new in chosen.values() if new])]
        plane_ns = {"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": self.params["cluster_namespace"], "labels": SYSTEM_LABELS}}
        results.append(objects.apply_unless_held(self.plane, plane_ns))
        cluster = cluster_object(self.params, endpoint, cluster_id, insecure, existing)
        if self.module.check_mode and any(r["changed"] for r in results):
            # Tokens exist only after a real run; what the control plane would get is the Cluster.
            results.append(objects.apply(self.plane, cluster))
            return self._result(results, endpoint, cluster_id)
        filled = {account: wait.wait_for_token(self.member, secret, self.params["wait_timeout"])
                  for account, (secret, _found, _new) in chosen.items()}
        cluster_result = objects.apply_unless_held(self.plane, cluster)
        owner = (cluster_result.get("result") or {}).get("metadata") or {}
        secrets = control_plane_secrets(self.params, filled[service_account_name(self.params["name"])],
                                        filled[IMPERSONATOR]["token"] if self.params["impersonator"] else None,
                                        owner if owner.get("uid") else None)
        results += [objects.public_view(objects.apply_unless_held(self.plane, s)) for s in secrets]
        results.append(cluster_result)
        # Only once the control plane holds the tokens in use: every other token Secret of the accounts goes,
        # which revokes the tokens a rotation replaced and any a failed run left behind.
        ns = self.params["cluster_namespace"]
        for account, (secret, found, _new) in chosen.items():
            results += [objects.apply(self.member, objects.token_secret(ns, s["metadata"]["name"], account), "absent")
                        for s in found if s["metadata"]["name"] != secret["metadata"]["name"]]
        rotated = self.params["rotate"] and any(found for _secret, found, _new in chosen.values())
        return dict(self._result(results, endpoint, cluster_id, cluster_result), insecure=insecure, rotated=rotated)

    def _held_token(self, secret_name):
        secret = objects.get(self.plane, {"apiVersion": "v1", "kind": "Secret", "metadata": {
            "name": secret_name, "namespace": self.params["cluster_namespace"]}})
        token = ((secret or {}).get("data") or {}).get("token")
        return base64.b64decode(token).decode() if token else None

    def _choose_tokens(self, namespace_exists):
        """{account: (token Secret to use, the account's token Secrets found, whether to create it)}: the one whose
        token the control plane holds, a new one when rotating, the canonical one on a first join."""
        ns, name = self.params["cluster_namespace"], self.params["name"]
        held = {service_account_name(name): name, IMPERSONATOR: "{0}-impersonator".format(name)}
        chosen = {}
        for canonical in member_token_secrets(self.params):
            account = canonical["metadata"]["name"]
            found = tokens.token_secrets_of(self.member, ns, account, account) if namespace_exists else []
            current = tokens.current_token_secret(found, self._held_token(held[account]), account)
            if current is None or self.params["rotate"]:
                secret_name = tokens.rotated_name(account) if current is not None else account
                chosen[account] = (objects.token_secret(ns, secret_name, account), found, True)
            else:
                chosen[account] = (objects.token_secret(ns, current["metadata"]["name"], account), found, False)
        return chosen

    def _present_pull(self, endpoint, plane_server, cluster_id, existing):
        """karmada-agent's identity and RBAC on the control plane, the agent on the member. The agent creates the
        Cluster; once it exists, later runs put the inventory's labels on it."""
        identity = karmada_agent.agent_identity(self.params["name"])
        token_secret = objects.token_secret(self.params["cluster_namespace"], identity, identity)
        plane = self._dry_runnable(self.plane, karmada_agent.control_plane_objects(self.params) + [token_secret])
        results = [objects.apply_unless_held(self.plane, obj) for obj in plane]
        # karmada-agent puts its impersonator ServiceAccount in the member's cluster namespace and creates that
        # namespace if it is missing; made here first, it carries OWNER_LABEL and the unjoin removes it.
        namespace = self._member_namespace()
        cluster_namespace = member_objects(self.params, namespace is None or self._owns_namespace(namespace))[0]
        if self.module.check_mode and any(r["changed"] for r in results):
            member = [cluster_namespace] + karmada_agent.member_objects(self.params, endpoint)
            results += [objects.apply(self.member, obj) for obj in self._dry_runnable(self.member, member)]
            return self._result(results, endpoint, cluster_id)
        token = wait.wait_for_token(self.plane, token_secret, self.params["wait_timeout"])
        kubeconfig = karmada_agent.agent_kubeconfig(self.params["control_plane_endpoint"] or plane_server,
                                                    token.get("ca.crt", ""), token["token"], self.params["name"])
        member = [cluster_namespace] + karmada_agent.member_objects(self.params, endpoint, kubeconfig)
        results += [objects.public_view(objects.apply_unless_held(self.member, obj)) for obj in self._dry_runnable(self.member, member)]
        labels_result = objects.apply_unless_held(self.plane, cluster_labels(self.params, existing)) if existing else None
        if labels_result:
            results.append(labels_result)
        return self._result(results, endpoint, cluster_id, labels_result)

    def _result(self, results, endpoint, cluster_id, cluster_result=None):
        result = {"changed": any(r["changed"] for r in results), "api_endpoint": endpoint, "cluster_id": cluster_id}
        if cluster_result:
            result["cluster"] = cluster_result.get("result")
            if "diff" in cluster_result:
                result["diff"] = cluster_result["diff"]
        return result

    def absent(self, member_reachable=True):
        """Unjoin, whichever mode the member was joined in: Pull mode's agent first (so that it cannot register
        the Cluster again), then the Cluster (waiting for Karmada's cleanup), then both sides' credentials and RBAC.
        The member's karmada-system namespace stays: it may hold more than the agent; so does its cluster
        namespace unless the join created it."""
        results = []
        if member_reachable:
            results += [objects.apply(self.member, obj, "absent")
                        for obj in reversed(karmada_agent.member_objects(self.params, "", ""))
                        if obj["kind"] != "Namespace"]
        results += self._absent_on_plane()
        if member_reachable:
            results += self._absent_on_member()
        return {"changed": any(r["changed"] for r in results)}

    def _absent_on_plane(self):
        name, ns = self.params["name"], self.params["cluster_namespace"]
        results = [objects.apply(self.plane, self._cluster_ref(), "absent")]
        if results[-1]["changed"] and not self.module.check_mode:
            if not wait.wait_until_gone(self.plane, self._cluster_ref(), self.params["wait_timeout"]):
                raise JoinError("Karmada did not finish removing Cluster {0} within {1}s (its finalizer cleans the "
                                "member's workloads; is karmada-controller-manager running?)".format(
                                    name, self.params["wait_timeout"]))
        for secret in (name, "{0}-impersonator".format(name)):
            results.append(objects.apply(self.plane, {"apiVersion": "v1", "kind": "Secret",
                                                      "metadata": {"name": secret, "namespace": ns}}, "absent"))
        identity = karmada_agent.agent_identity(name)
        plane = karmada_agent.control_plane_objects(self.params) + [objects.token_secret(ns, identity, identity)]
        results += [objects.apply(self.plane, obj, "absent") for obj in reversed(plane)
                    if obj["kind"] != "Namespace" or obj["metadata"]["name"] == karmada_agent.execution_namespace(name)]
        return results

    def _absent_on_member(self):
        """The member's RBAC, then its cluster namespace if the join created it (the ServiceAccounts and token
        Secrets go with it), else only what the join put in that namespace. Waiting for the namespace to be gone
        keeps a second run from seeing it Terminating and reporting a change."""
        created = member_objects(self.params)
        results = [objects.apply(self.member, obj, "absent") for obj in reversed(created)
                   if obj["kind"] in ("ClusterRoleBinding", "ClusterRole")]
        namespace = self._member_namespace()
        if self._owns_namespace(namespace):
            results.append(objects.apply(self.member, created[0], "absent"))
            if results[-1]["changed"] and not self.module.check_mode:
                wait.wait_until_gone(self.member, created[0], self.params["wait_timeout"])
        elif namespace:
            results += [objects.apply(self.member, obj, "absent")
                        for obj in reversed(created + member_token_secrets(self.params))
                        if obj["metadata"].get("namespace")]
        return results


def wait_ready(plane, params):
    """The Cluster once Karmada reports it Ready (its cluster-status controller reached the member; in Pull mode,
    once the agent has created it and reports), else JoinError with what Karmada said last."""
    ready, cluster = wait.wait_for_condition(plane, {"apiVersion": CLUSTER_API, "kind": "Cluster",
                                                     "metadata": {"name": params["name"]}},
                                             "Ready", params["ready_timeout"])
    if ready:
        return cluster
    if cluster is None:
        raise JoinError("no Cluster {0} on Karmada after {1}s (in Pull mode karmada-agent creates it: is it running "
                        "on the member, and can it reach Karmada?)".format(params["name"], params["ready_timeout"]))
    said = [c for c in (cluster.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"]
    raise JoinError("Karmada did not report the member Ready within {0}s ({1})".format(
        params["ready_timeout"], "{0}: {1}".format(said[0].get("reason"), said[0].get("message")) if said
        else "no Ready condition yet: is karmada-controller-manager running?"))


def member_leftovers(params):
    """What an unjoin leaves on a member it could not reach, as `Kind namespace/name`."""
    found = member_objects(params) + karmada_agent.member_objects(params, "", "")
    return [objects.reference(obj) for obj in found if obj["kind"] != "Secret"]


def join(module, member, plane):
    """The karmada_member module's work, on the member's and the control plane's K8sService: join, or unjoin.
    Every refusal names the member."""
    params = module.params
    try:
        joining = Join(module, member, plane)
        if params["state"] == "absent":
            return joining.absent()
        member_conf, plane_conf = member.client.configuration, plane.client.configuration
        endpoint = (params["api_endpoint"] or member_conf.host).rstrip("/")
        result = joining.present(endpoint, not member_conf.verify_ssl, plane_conf.host.rstrip("/"))
        if params["wait_ready"] and not module.check_mode:
            result["cluster"] = wait_ready(plane, params)
        return result
    except (JoinError, TokenNotReady) as err:
        raise JoinError("{0}: {1}".format(params["name"], err)) from err


def unjoin_unreachable(module, plane, unreachable):
    """state=absent for a member that does not answer: the control plane forgets it (Karmada, seeing it not
    ready, drops its Works without reaching it), and the result and a warning say what stays on the member. Any
    other state fails as the member is unreachable."""
    if module.params["state"] != "absent":
        raise unreachable
    try:
        results = Join(module, None, plane)._absent_on_plane()  # pylint: disable=protected-access
    except JoinError as err:
        raise JoinError("{0}: {1}".format(module.params["name"], err)) from err
    left = member_leftovers(module.params)
    module.warn("{0}; unjoined {1} on the control plane only. Left on the member, to delete once it is back (or "
                "rerun then): {2}".format(unreachable, module.params["name"], ", ".join(left)))
    return {"changed": any(r["changed"] for r in results), "member_reachable": False, "left_on_member": left}
