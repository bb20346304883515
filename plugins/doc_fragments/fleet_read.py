# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and attributes of a read that runs for its own host or, run once, for many (plugin_utils/fleet_action.py)."""


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options:
  timeout:
    description: Seconds to wait for each request (connect and read).
    type: int
    default: 10
  concurrency:
    description:
      - With C(run_once=true), how many clusters are read at the same time. A cluster that does not answer holds
        one of them for up to O(timeout) seconds per request.
    type: int
    default: 20
  clusters:
    description:
      - With C(run_once=true), the inventory hosts to read instead of the hosts of the play (of its batch, with
        C(serial)), for a play on other hosts, such as C(localhost) acting on named clusters.
      - A name that is not an inventory host is reported like a cluster without a connection.
      - Refused without C(run_once=true).
    type: list
    elements: str
attributes:
  action:
    description: Indicates this has a corresponding action plugin, which runs on the controller.
    support: full
    details: The action plugin reads the connection of every host read when the task runs once.
"""
