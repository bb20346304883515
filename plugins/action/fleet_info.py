# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.fleet_info: each host lists objects of its own cluster, or, run once, of every host of the
play (plugin_utils/fleet_action.py)."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.fleet_action import FleetReadAction


class ActionModule(FleetReadAction):
    pass
