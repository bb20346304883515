# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of a task that runs for its own host, or, run once, for many hosts of the play at once.

Per host, Ansible's own work for a task is a worker process and a module run per cluster, about 10 ms of the
controller's time per host before the module does anything; over 200 clusters that alone is seconds. Run once
(run_once: true), the action reads each host's connection from its variables, as the cluster connection
plugin does, and one module run works on them all concurrently, so a fleet read costs one task. A read's hosts
are the play's batch, or those the task's `clusters` names (a play on localhost reading named clusters); a
change's are those its dict of hosts names (argocd_cluster's `spokes`, karmada_member's `members`). The module finds the connections with
module_utils/fleet/connections.handed_over().
"""

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import connection as kube_connection
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster_environment import (
    fleet_environment,
    host_connection,
    kubeconfig_document,
)


def play_kubeconfigs(hosts, hostvars):
    """({host: kubeconfig document}, {host: why it has none}) of these hosts; one host whose connection cannot
    be read (a missing kubeconfig, a lookup that fails), or that is not an inventory host, is reported alone."""
    kubeconfigs, problems = {}, {}
    for host in hosts:
        if host not in hostvars:
            problems[host] = "{0} is not an inventory host".format(host)
            continue
        try:
            connection = kube_connection.stated(host_connection(hostvars[host]))
            if not connection:
                problems[host] = "host {0} has no hubspoke_connection: it is not a cluster of the clusters inventory".format(host)
                continue
            kubeconfigs[host] = kubeconfig_document(connection)
        except (ClusterError, AnsibleError) as err:
            problems[host] = "hubspoke_connection of {0}: {1}".format(host, err)
    return kubeconfigs, problems


class FleetAction(ActionBase):
    """Runs the module for the task's host, or, with the connections of the hosts fleet_hosts() names handed
    over, once for all of them."""

    TRANSFERS_FILES = False

    def fleet_hosts(self, task_vars):
        """The hosts this run works on, or None for a run on the task's host alone; an AnsibleActionFail for a
        task that asks for both."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        try:
            hosts = self.fleet_hosts(task_vars)
        except AnsibleActionFail as err:
            return dict(result, failed=True, msg=str(err))
        if hosts is None:
            result.update(self._execute_module(task_vars=task_vars))
            return result
        kubeconfigs, problems = play_kubeconfigs(hosts, task_vars["hostvars"])
        with fleet_environment(kubeconfigs, problems, tmpdir=C.DEFAULT_LOCAL_TMP):
            result.update(self._execute_module(task_vars=task_vars))
        return result


class FleetReadAction(FleetAction):
    """A read: run once, of every host of the play's batch, or of the task's `clusters`."""

    def fleet_hosts(self, task_vars):
        clusters = self._task.args.get("clusters")
        if not self._task.run_once:
            if clusters is not None:
                raise AnsibleActionFail("clusters names the hosts of a task that runs once: add run_once: true")
            return None
        if clusters is not None:
            return clusters
        return task_vars.get("ansible_play_batch") or [task_vars["inventory_hostname"]]


class FleetChangeAction(FleetAction):
    """A change: for the task's host, or run once for the hosts HOSTS_OPTION names, each with its options."""

    HOSTS_OPTION = None

    def fleet_hosts(self, task_vars):
        hosts = self._task.args.get(self.HOSTS_OPTION)
        if hosts is None:
            return None
        if not self._task.run_once:
            raise AnsibleActionFail("{0} works on several hosts in one task: add run_once: true".format(self.HOSTS_OPTION))
        if not isinstance(hosts, dict):
            raise AnsibleActionFail("{0} must be a dict of inventory host names to their options, got {1}".format(
                self.HOSTS_OPTION, type(hosts).__name__))
        return list(hosts)
