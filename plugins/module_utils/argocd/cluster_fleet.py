# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Register many spokes in one module run: argocd_cluster with `spokes`, run once for a play.

A task per spoke costs Ansible a worker and a module run for each, and each run builds a hub client and reads
the same hub objects again; over a fleet that is most of a registration that changes nothing. Here each spoke's
registration is argocd/cluster.py's, with its own options (its `spokes` entry over the task's), in a thread, at
most `concurrency` at a time. Each hub gets one client, and what every registration reads from it first (Argo
CD's namespace, its cluster Secrets) is read once. One spoke that fails is that spoke's result only.
"""

import copy
import json

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster import (
    OPTIONS,
    deregister_unreachable,
    hub_view,
    register,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import fanout
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.host_module import (
    HostModule,
    HostOptionsError,
    validated,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import connection as kube_connection
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.adapter import (
    SECOND_CLUSTER_AUTH_SPEC,
    discovering,
    hide_values,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError, ClusterUnreachable
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.lease import LEASE_API
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import refusal

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    class CoreException(Exception):
        """Stands in for kubernetes.core's, which needs the kubernetes library."""

# The module's options for a registration of many spokes, beside OPTIONS.
FLEET_OPTIONS = dict(
    spokes=dict(type="dict"),
    concurrency=dict(type="int", default=20),
)
# One spoke's options, as a `spokes` entry over the task's options gives them.
SPOKE_SPEC = dict(copy.deepcopy(OPTIONS), hub=dict(type="dict", required=True, options=SECOND_CLUSTER_AUTH_SPEC))
SPOKE_SPEC["name"]["required"] = True
REQUIRED_IF = [("rbac", "custom", ["rules"])]


def failed(msg):
    return {"changed": False, "failed": True, "msg": msg}


def _spoke_options(module, host, entry):
    """(options, their no_log values) of one spoke: the task's options, then its entry's; name defaults to the host."""
    if entry is not None and not isinstance(entry, dict):
        raise HostOptionsError("spokes.{0} must be a dict of argocd_cluster options, got {1}".format(
            host, type(entry).__name__))
    options = {key: module.params[key] for key in SPOKE_SPEC if module.params.get(key) is not None}
    options.update(entry or {})
    options.setdefault("name", host)
    try:
        return validated(SPOKE_SPEC, options, required_if=REQUIRED_IF)
    except HostOptionsError as err:
        raise HostOptionsError("spokes.{0}: {1}".format(host, err)) from None


def _failure(err):
    if isinstance(err, CoreException):
        return refusal(err) or str(err)
    return str(err)


class HubClients:
    """One kubernetes.core client per hub connection, with what hub_view() reads per Argo CD namespace; a hub
    that cannot be reached is the failure of each spoke registering to it."""

    def __init__(self, module):
        self.module = module
        self.clients = {}
        self.views = {}

    def get(self, connection, namespace):
        """(client, view) or ClusterError."""
        key = json.dumps(connection, sort_keys=True, default=str)
        if key not in self.clients:
            self.clients[key] = self._connect(connection)
        client = self.clients[key]
        if isinstance(client, ClusterError):
            raise client
        if (key, namespace) not in self.views:
            svc = K8sService(client, self.module)
            svc.find_resource("Lease", LEASE_API, fail=True)  # discovery before the threads share the client
            self.views[(key, namespace)] = hub_view(svc, namespace)
        return client, self.views[(key, namespace)]

    def _connect(self, connection):
        stated = kube_connection.second_cluster(connection)
        if not stated:
            return ClusterError("the hub states no connection: give the spoke a `hub` (the hub host's "
                                "hubspoke_connection) or set the HUBSPOKE_HUB_* variables")
        try:
            return discovering(kube_client.bounded(kube_client.for_connection(stated)), "hub",
                               self.module.server_side_dry_run)
        except ClusterError as err:
            return err
        except Exception as err:  # pylint: disable=broad-exception-caught  # ConfigException, YAML errors...
            return ClusterError("the hub's connection cannot be used: {0}".format(err))


def _register_spoke(module, kubeconfig, hub_client, view):
    """One spoke's registration result, for a spoke reached with `kubeconfig`; never raises."""
    try:
        hub = K8sService(hub_client, module)
        api = kube_client.bounded(kube_client.for_connection({"kubeconfig": kubeconfig}))
    except Exception as err:  # pylint: disable=broad-exception-caught  # a kubeconfig the client refuses
        return failed("the spoke's connection cannot be used: {0}".format(err))
    try:
        try:
            spoke = K8sService(discovering(api, "spoke", module.server_side_dry_run), module)
        except ClusterUnreachable as err:
            return deregister_unreachable(module, hub, err)
        return register(module, spoke, hub, view)
    except (ClusterError, CoreException) as err:
        return failed(_failure(err))
    except Exception as err:  # pylint: disable=broad-exception-caught  # one spoke's fault fails that spoke only
        return failed("registration failed: {0}: {1}".format(type(err).__name__, err))
    finally:
        api.close()


def register_fleet(module, kubeconfigs, problems):
    """The module's result for `spokes`: {"changed", "clusters": {host: that spoke's result}}, each host reached
    by its handed-over kubeconfig (module_utils/fleet/connections.handed_over)."""
    results, work = {}, {}
    hubs = HubClients(module)
    for host, entry in module.params["spokes"].items():
        if host in problems:
            results[host] = failed(problems[host])
            continue
        try:
            options, no_log_values = _spoke_options(module, host, entry)
        except HostOptionsError as err:
            results[host] = failed(str(err))
            continue
        hide_values(module, no_log_values)
        try:
            hub_client, view = hubs.get(options["hub"], options["argocd_namespace"])
        except (ClusterError, CoreException) as err:
            results[host] = failed(_failure(err))
            continue
        work[host] = (HostModule(module, options), kubeconfigs[host], hub_client, view)

    def run(_host, item):
        spoke_module = item[0]
        result = _register_spoke(*item)
        if spoke_module.warnings:
            result["warnings"] = spoke_module.warnings
        return result

    results.update(fanout.run_each(work, run, module.params["concurrency"]))
    return {"changed": any(r.get("changed") for r in results.values()), "clusters": results}
