# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many hosts' work on two clusters in one module run: a module that works on its host's cluster and on a
second one (an Argo CD hub, Karmada's API server), run once for a play with each host's options in one dict
option (argocd_cluster's `spokes`, karmada_member's `members`).

A task per host costs Ansible a worker and a module run for each, and each run builds a client for the second
cluster and reads the same objects from it again; over a fleet that is most of a run that changes nothing.
Here each host's work is the module's work for one host, with that host's options (its entry over the task's),
in a thread, at most `concurrency` at a time. Each second cluster gets one client, prepared once before the
threads share it (kubernetes.core's discovery is not safe to fill from several threads, and what every host's
work reads first is read once). One host that fails is that host's result only.
"""

import copy
import json

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import fanout
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import handed_over
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
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.runner import refusal, run_on_two_clusters


# The option that bounds how many hosts work at a time, beside the module's dict of hosts.
CONCURRENCY = dict(type="int", default=20)


def failed(msg):
    return {"changed": False, "failed": True, "msg": msg}


def failure_message(err):
    if isinstance(err, CoreException):
        return refusal(err) or str(err)
    return str(err)


class FleetWork:
    """What a module does for one host, for run_fleet(); a module's subclass sets the class attributes.

    hosts_option: the dict option of host names to their options; second: the dict option of the second
    cluster's connection; sides: how messages name the host's cluster and the second one; spec: the module's
    options for one host, `name` and `second` among them (host_spec()); required_if: the spec's.
    """

    hosts_option = None
    second = None
    sides = (None, None)
    spec = None
    required_if = None

    def prepare(self, svc, options):
        """What every host's work on this second cluster shares, read once with the first host's options
        (view_key() says which options it depends on); discovery of the kinds the threads use goes here."""
        return None

    def view_key(self, options):
        """The options prepare()'s result depends on, beside the second cluster's connection."""
        return None

    def work(self, module, own, other, view):
        """The host's result, on K8sServices of its cluster and of the second one."""
        raise NotImplementedError

    def unreachable(self, module, other, err):
        """The host's result when its own cluster does not answer (ClusterUnreachable err)."""
        raise err


def host_spec(options, second):
    """One host's options: the module's, with the second cluster's connection required and a name."""
    spec = dict(copy.deepcopy(options), **{second: dict(type="dict", required=True, options=SECOND_CLUSTER_AUTH_SPEC)})
    spec["name"]["required"] = True
    return spec


def host_options(module, fleet, host, entry):
    """(options, their no_log values) of one host: the task's options, then its entry's; name defaults to the
    host. HostOptionsError names the host."""
    if entry is not None and not isinstance(entry, dict):
        raise HostOptionsError("{0}.{1} must be a dict of the module's options, got {2}".format(
            fleet.hosts_option, host, type(entry).__name__))
    options = {key: module.params[key] for key in fleet.spec if module.params.get(key) is not None}
    options.update(entry or {})
    options.setdefault("name", host)
    try:
        return validated(fleet.spec, options, required_if=fleet.required_if)
    except HostOptionsError as err:
        raise HostOptionsError("{0}.{1}: {2}".format(fleet.hosts_option, host, err)) from None


class SecondClusters:
    """One kubernetes.core client per second-cluster connection, with what FleetWork.prepare() read; a second
    cluster that cannot be reached is the failure of each host working on it."""

    def __init__(self, module, fleet):
        self.module = module
        self.fleet = fleet
        self.clients = {}
        self.views = {}

    def get(self, options):
        """(client, view) for one host's options, or ClusterError."""
        key = json.dumps(options[self.fleet.second], sort_keys=True, default=str)
        if key not in self.clients:
            self.clients[key] = self._connect(options[self.fleet.second])
        client = self.clients[key]
        if isinstance(client, ClusterError):
            raise client
        view_key = (key, json.dumps(self.fleet.view_key(options), sort_keys=True, default=str))
        if view_key not in self.views:
            self.views[view_key] = self.fleet.prepare(K8sService(client, self.module), options)
        return client, self.views[view_key]

    def _connect(self, connection):
        own, side = self.fleet.sides
        stated = kube_connection.second_cluster(connection)
        if not stated:
            return ClusterError("the {0} states no connection: give the {1} a `{2}` (the {0} host's "
                                "hubspoke_connection) or set the HUBSPOKE_HUB_* variables".format(
                                    side, own, self.fleet.second))
        try:
            api = kube_client.bounded(kube_client.for_connection(stated))
        except Exception as err:  # pylint: disable=broad-exception-caught  # ConnectionOptionsError, YAML errors...
            return ClusterError("the {0}'s connection cannot be used: {1}".format(side, err))
        try:
            return discovering(api, side, self.module.server_side_dry_run)
        except ClusterError as err:  # its message names the side
            return err


def _run_host(fleet, module, kubeconfig, other_client, view):
    """One host's result, its cluster reached with `kubeconfig`; never raises."""
    own_side = fleet.sides[0]
    try:
        other = K8sService(other_client, module)
        api = kube_client.bounded(kube_client.for_connection({"kubeconfig": kubeconfig}))
    except Exception as err:  # pylint: disable=broad-exception-caught  # a kubeconfig the client refuses
        return failed("the {0}'s connection cannot be used: {1}".format(own_side, err))
    try:
        try:
            own = K8sService(discovering(api, own_side, module.server_side_dry_run), module)
        except ClusterUnreachable as err:
            return fleet.unreachable(module, other, err)
        return fleet.work(module, own, other, view)
    except (ClusterError, CoreException) as err:
        return failed(failure_message(err))
    except Exception as err:  # pylint: disable=broad-exception-caught  # one host's fault fails that host only
        return failed("{0} failed: {1}: {2}".format(own_side, type(err).__name__, err))
    finally:
        api.close()


def run_fleet(module, fleet, kubeconfigs, problems):
    """The module's result for the hosts of fleet.hosts_option: {"changed", "clusters": {host: its result}},
    each host reached by its handed-over kubeconfig (module_utils/fleet/connections.handed_over)."""
    results, work = {}, {}
    seconds = SecondClusters(module, fleet)
    for host, entry in module.params[fleet.hosts_option].items():
        if host in problems:
            results[host] = failed(problems[host])
            continue
        try:
            options, no_log_values = host_options(module, fleet, host, entry)
        except HostOptionsError as err:
            results[host] = failed(str(err))
            continue
        hide_values(module, no_log_values)
        try:
            other_client, view = seconds.get(options)
        except (ClusterError, CoreException) as err:
            results[host] = failed(failure_message(err))
            continue
        work[host] = (HostModule(module, options), kubeconfigs[host], other_client, view)

    def run(_host, item):
        host_module = item[0]
        result = _run_host(fleet, *item)
        if host_module.warnings:
            result["warnings"] = host_module.warnings
        return result

    results.update(fanout.run_each(work, run, module.params["concurrency"]))
    return {"changed": any(r.get("changed") for r in results.values()), "clusters": results}


def run_module(module, fleet):
    """Runs the module to its end: for the task's host alone when fleet.hosts_option is unset, else for the
    hosts it names, whose connections the action plugin handed over (it does so only for a task run once)."""
    if module.params[fleet.hosts_option] is None:
        run_on_two_clusters(module, fleet.sides, fleet.second, lambda module, own, other: fleet.work(module, own, other, None),
                            unreachable=fleet.unreachable)
    handed = handed_over()
    if handed is None:
        module.fail_json(msg="{0} works on several hosts in one task: add run_once: true".format(fleet.hosts_option))
    module.exit_json(**run_fleet(module, fleet, *handed))
