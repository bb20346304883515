# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.karmada_member: joins its own host, or, run once with `members`, every host it names
(plugin_utils/fleet_action.py)."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.fleet_action import FleetChangeAction


class ActionModule(FleetChangeAction):
    HOSTS_OPTION = "members"
