# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.gatekeeper_report: each host reads its own cluster's audit results, or, run once,
every host of the play's (plugin_utils/fleet_action.py)."""

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.fleet_action import FleetReadAction


class ActionModule(FleetReadAction):
    pass
