# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.argocd_cluster: registers its own host, or, run once with `spokes`, every host it names
(plugin_utils/fleet_action.py)."""

from ansible.errors import AnsibleActionFail

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.fleet_action import FleetAction


class ActionModule(FleetAction):

    def fleet_hosts(self, task_vars):
        spokes = self._task.args.get("spokes")
        if spokes is None:
            return None
        if not self._task.run_once:
            raise AnsibleActionFail("spokes registers several hosts in one task: add run_once: true")
        if not isinstance(spokes, dict):
            raise AnsibleActionFail("spokes must be a dict of inventory host names to their options, got {0}".format(
                type(spokes).__name__))
        return list(spokes)
