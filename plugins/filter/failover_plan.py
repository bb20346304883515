"""hubspoke.multicluster.failover_plan: the applications of a failover or failback, checked and completed.

In Python because every refusal must come before anything changes, and each needs a message that names
the application and the setting at fault; the role's steps then read one flat, complete plan.
"""

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: failover_plan
short_description: Check and complete the applications of a failover or failback
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Takes the catalog of applications (the inventory variable C(failover_catalog)) and the names to move, and
    returns the clusters traffic moves from and to and, per application, every setting the steps need, with
    defaults filled in.
  - Refuses, naming the application and the setting, an unknown application, a cluster that is not in the
    inventory, a primary that is also the standby, applications whose pairs differ (they move together), an
    unknown mode, the C(gitops) mode without a repository and the C(argocd) mode without an Argo CD hub.
options:
  _input:
    description:
      - The catalog, a dict of settings by application name. Settings are C(primary), C(standby) (inventory
        hosts), C(namespace) (default the name), C(kind) (C(Deployment)), C(workloads) (default C([name])), C(replicas) (default
        V(1)), C(mode) (C(gitops), C(argocd) or C(direct)), C(argocd) (C(hub), C(namespace), C(applications) per
        cluster, default C(<name>-<cluster>) as the applicationset filter names them), C(git) (C(repo),
        C(branch), C(paths) per cluster, default C(<name>/<cluster>)) and C(dns) (C(name), C(cluster),
        C(namespace), C(record_type), C(ttl), C(targets) per cluster).
    type: dict
    required: true
  names:
    description: The applications to move.
    type: list
    elements: str
    required: true
  hosts:
    description: The inventory's host names (C(groups.all)).
    type: list
    elements: str
    required: true
  direction:
    description: V(failover) moves from the primary to the standby, V(failback) from the standby to the primary.
    type: str
    default: failover
    choices: [failover, failback]
  primary:
    description: Overrides the catalog's primary of every application.
    type: str
  standby:
    description: Overrides the catalog's standby of every application.
    type: str
  argocd_hub:
    description: The Argo CD hub (inventory host) of applications whose catalog entry names none.
    type: str
"""

EXAMPLES = r"""
- name: Plan a failover of web and api
  ansible.builtin.set_fact:
    plan: "{{ failover_catalog | hubspoke.multicluster.failover_plan(['web', 'api'], groups['all']) }}"
"""

RETURN = r"""
_value:
  description: C({from, to, primary, standby, applications}); each application with every setting filled in.
  type: dict
"""

MODES = ("gitops", "argocd", "direct")


def _fail(name, message):
    raise AnsibleFilterError("failover of {0!r}: {1}".format(name, message))


def _argocd(name, entry, clusters, default_hub):
    settings = dict(entry.get("argocd") or {})
    hub = settings.get("hub") or default_hub
    if not hub:
        return None
    applications = dict(settings.get("applications") or {})
    return {"hub": hub, "namespace": settings.get("namespace") or "argocd",
            "applications": {c: applications.get(c) or "{0}-{1}".format(name, c) for c in clusters}}


def _git(name, entry, clusters):
    settings = dict(entry.get("git") or {})
    if not settings.get("repo"):
        _fail(name, "mode gitops needs git.repo")
    paths = dict(settings.get("paths") or {})
    return {"repo": settings["repo"], "branch": settings.get("branch") or "main",
            "paths": {c: paths.get(c) or "{0}/{1}".format(name, c) for c in clusters}}


def _dns(name, entry, hosts):
    settings = dict(entry.get("dns") or {})
    if not settings:
        return None
    if not settings.get("name"):
        _fail(name, "dns needs name, the record to switch")
    cluster = settings.get("cluster")
    if not cluster or cluster not in hosts:
        _fail(name, "dns.cluster {0!r} (where the DNSEndpoint lives) is not an inventory host".format(cluster))
    return {"name": settings["name"], "cluster": cluster, "namespace": settings.get("namespace") or "default",
            "record_type": settings.get("record_type") or "A", "ttl": int(settings.get("ttl") or 30),
            "targets": dict(settings.get("targets") or {})}


def _application(name, entry, hosts, primary, standby, argocd_hub):
    primary = primary or entry.get("primary")
    standby = standby or entry.get("standby")
    for role, cluster in (("primary", primary), ("standby", standby)):
        if not cluster:
            _fail(name, "no {0} cluster (set it in the catalog or as failover_{0})".format(role))
        if cluster not in hosts:
            _fail(name, "{0} {1!r} is not an inventory host".format(role, cluster))
    if primary == standby:
        _fail(name, "primary and standby are both {0!r}".format(primary))
    mode = entry.get("mode") or "direct"
    if mode not in MODES:
        _fail(name, "mode {0!r} is not one of {1}".format(mode, ", ".join(MODES)))
    clusters = (primary, standby)
    argocd = _argocd(name, entry, clusters, argocd_hub)
    if mode == "argocd" and not argocd:
        _fail(name, "mode argocd needs argocd.hub (or failover_argocd_hub)")
    replicas = entry.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 1:
        _fail(name, "replicas must be a positive number, got {0!r}".format(replicas))
    return {
        "name": name, "primary": primary, "standby": standby, "mode": mode, "replicas": replicas,
        "namespace": entry.get("namespace") or name, "kind": entry.get("kind") or "Deployment",
        "workloads": list(entry.get("workloads") or [name]),
        "argocd": argocd, "git": _git(name, entry, clusters) if mode == "gitops" else None,
        "dns": _dns(name, entry, hosts),
    }


def failover_plan(catalog, names, hosts, direction="failover", primary=None, standby=None, argocd_hub=None):
    catalog = catalog or {}
    if isinstance(names, str):
        names = [names]
    if not names:
        raise AnsibleFilterError("no application to move: set failover_applications")
    unknown = [n for n in names if n not in catalog]
    if unknown:
        raise AnsibleFilterError("unknown application {0}; the catalog (failover_catalog) has {1}".format(
            ", ".join(unknown), ", ".join(sorted(catalog)) or "none"))
    applications = [_application(n, dict(catalog[n] or {}), list(hosts), primary, standby, argocd_hub)
                    for n in names]
    pairs = {(a["primary"], a["standby"]) for a in applications}
    if len(pairs) > 1:
        raise AnsibleFilterError("the applications do not share one primary/standby pair ({0}); move them in "
                                 "separate runs".format(", ".join("{0}->{1}".format(*p) for p in sorted(pairs))))
    (first, second), = pairs
    source, target = (first, second) if direction == "failover" else (second, first)
    return {"from": source, "to": target, "primary": first, "standby": second, "applications": applications}


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"failover_plan": failover_plan}
