# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of argocd_cluster (module_utils/argocd/cluster.OPTIONS), beside the auth options and `hub`.

Kept beside the module's other fragments so the module itself stays documentation of what it does, its
examples and its return values. (ansible-test reads fragments as string literals, so it is written out.)
"""


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options:
  name:
    description:
      - The cluster's name in Argo CD (the C(name) of the Cluster generator), usually C(inventory_hostname).
      - Required, except with O(spokes), where each spoke's name defaults to its host name.
    type: str
  server:
    description: The API URL Argo CD uses for the spoke. Defaults to the URL the connection options reach.
    type: str
  argocd_namespace:
    description: The hub namespace Argo CD runs in.
    type: str
    default: argocd
  labels:
    description: Labels of the cluster Secret, what ApplicationSet Cluster generators select on.
    type: dict
    default: {}
  annotations:
    description: Annotations of the cluster Secret.
    type: dict
    default: {}
  namespaces:
    description: Limit Argo CD to these namespaces (Roles instead of a ClusterRole), like C(argocd cluster add --namespace).
    type: list
    elements: str
    default: []
  cluster_resources:
    description: With O(namespaces), let Argo CD manage cluster-scoped resources too (C(clusterResources=true)).
    type: bool
    default: false
  project:
    description: Restrict the cluster to this Argo CD project.
    type: str
  shard:
    description: Pin the cluster to this application-controller shard.
    type: int
  rbac:
    description:
      - V(full) grants every verb on every resource, as C(argocd cluster add) does; that is cluster-admin in all
        but name, and the default only for parity with the CLI.
      - V(gitops) is the least-privilege preset for a typical GitOps spoke - read everything (Argo CD's cache
        lists and watches every kind) and write namespaces, workloads (Deployments, StatefulSets, DaemonSets,
        Jobs, CronJobs, HPAs, PDBs), ConfigMaps, Secrets, Services, ServiceAccounts, PVCs, quotas, Ingresses,
        NetworkPolicies and Argo Rollouts, and nothing else (no RBAC, CRDs, webhooks or nodes).
      - V(read-only) grants get, list and watch (Argo CD shows and diffs, never syncs). V(custom) grants O(rules).
    type: str
    choices: [full, gitops, read-only, custom]
    default: full
  rules:
    description: PolicyRules for O(rbac=custom).
    type: list
    elements: dict
  service_account:
    description: Name of the ServiceAccount on the spoke.
    type: str
    default: argocd-manager
  system_namespace:
    description: Namespace of the ServiceAccount and its token on the spoke.
    type: str
    default: kube-system
  rotate:
    description:
      - Issue a new token now. A new token Secret C(<service_account>-long-lived-token-<suffix>) is created on the
        spoke, the hub Secret is switched to its token, and only then is the previous token Secret deleted,
        which revokes the old token. Argo CD never holds a revoked token.
      - Rotating is a change every time it runs; use O(token_max_age) for runs that should be idempotent.
    type: bool
    default: false
  token_max_age:
    description:
      - Rotate when the token in use is older than this, for example V(90d), V(12h), V(30m) or seconds.
        A scheduled registration run with this option keeps every spoke's token fresh and changes nothing
        while tokens are young.
    type: str
  token_expiration:
    description:
      - Use a bound token with this lifetime (for example V(30d), at least V(10m)) instead of a long-lived one.
        It is requested with the TokenRequest API and bound to an anchor Secret
        C(<service_account>-token-anchor-<suffix>) on the spoke, so deleting the anchor revokes it.
      - Each run keeps the hub's token while more than a third of its life is left and issues a new one after
        that (the previous anchor is deleted once the hub holds the new token), so a scheduled registration
        run (an AWX schedule) keeps the spoke registered; a spoke not reached before its token expires drops
        out of Argo CD until the next run.
      - Unset (the default) keeps the long-lived C(service-account-token) Secret of C(argocd cluster add).
        Switching either way revokes the previous token.
    type: str
  allow_insecure:
    description:
      - Register a spoke whose connection does not verify TLS (C(validate_certs=false),
        C(insecure-skip-tls-verify)); Argo CD then reaches it unverified too (C(insecure=true) in the hub Secret).
      - Without it such a spoke is refused, so an unverified connection is never copied into Argo CD silently.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the token controller to fill the token Secret.
      - A run holds the hub's Leases for the spoke (C(hubspoke-cluster-*) in O(argocd_namespace)) for at most
        this plus 120 seconds; another run for the same spoke waits as long for them.
    type: int
    default: 30
  state:
    description:
      - V(absent) deletes the hub Secret and the spoke's ServiceAccount, RBAC and token Secrets.
      - When the spoke does not answer, V(absent) deletes the hub Secret only and warns, naming what is left on
        the spoke (RV(left_on_spoke)).
    type: str
    choices: [present, absent]
    default: present
"""
