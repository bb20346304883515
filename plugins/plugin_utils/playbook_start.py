# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ansible-playbook's main process prepares for this collection before its first worker forks.

Ansible runs each task of each host in a worker forked from the main process, and a worker loads the task's
connection, action and filter plugins itself unless the main process loaded them already: the cluster
connection cost every task of every cluster host about 15 ms of the controller's CPU that way, and a task using
any filter of this collection about 40 ms more (Ansible imports every filter file of a collection to find one),
more than the task's own work on a fleet (docs/benchmarks.md). Loaded here once, every worker inherits them.
So with Jinja's lexer, which Ansible builds on the first template a process compiles (ansible-core says so
itself: "we should pre-generate the default cached lexer before forking"): in a play whose hosts are not a
template, every worker of every host built its own, 7 % of a play of bare per-host tasks.
The inventory plugin calls prepare() while it reads the inventory, which is also the moment to start the module
server and hand the run the module payloads earlier runs kept.
"""

import os
import sys

from ansible.plugins.loader import action_loader, connection_loader, filter_loader
from ansible.template import Templar, trust_as_template

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import module_payloads, module_server

COLLECTION = "hubspoke.multicluster"
CONNECTION = COLLECTION + ".cluster"
# The action plugins of tasks that run for every host (host_result, warn) or once for the play.
ACTIONS = ("argocd_cluster", "cluster_status", "fleet_info", "gatekeeper_report", "host_result", "karmada_member", "warn")
# Any one of the collection's filters: finding it imports every filter file of the collection.
A_FILTER = COLLECTION + ".select"


def prepare(run_folder, collection_paths):
    """In ansible-playbook only (ansible-inventory and Python that reads an inventory run no task)."""
    if os.path.basename(sys.argv[0]) != "ansible-playbook":
        return
    module_payloads.hand_over_for_playbook(run_folder)
    module_server.start_for_playbook(run_folder, collection_paths)
    connection_loader.get(CONNECTION, class_only=True)
    for name in ACTIONS:
        action_loader.get(COLLECTION + "." + name, class_only=True)
    filter_loader.get(A_FILTER)
    Templar().template(trust_as_template("{{ 0 }}"))
