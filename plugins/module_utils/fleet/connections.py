# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a task run once for a whole play hands its module the connection of every host of that play.

Not as a module option: Ansible masks every string of a no_log option wherever it appears in the output, and
a kubeconfig's server URLs and names are in every message about its cluster. The action plugin writes them to
a file only the user can read, removed when the module returns (plugin_utils/cluster_environment.py), and names
it in HUBSPOKE_FLEET_CONNECTIONS, which reaches the module as the rest of its environment does.
"""

import json
import os

VARIABLE = "HUBSPOKE_FLEET_CONNECTIONS"

# The options of every read that can run once for many hosts (doc fragment hubspoke.multicluster.fleet_read);
# `clusters` is read by the action plugin (plugin_utils/fleet_action.py), the rest by the module.
READ_OPTIONS = dict(
    timeout=dict(type="int", default=10),
    concurrency=dict(type="int", default=20),
    clusters=dict(type="list", elements="str"),
)


def handed_over(environ=None):
    """({host: kubeconfig dict}, {host: why it has none}) handed to this module run, or None when the task runs
    for its own host only."""
    environ = os.environ if environ is None else environ
    path = environ.get(VARIABLE)
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return document["connections"], document["problems"]
