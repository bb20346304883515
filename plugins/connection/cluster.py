# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: cluster
short_description: Run a cluster host's modules on the controller with that cluster's connection and no other
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - A Kubernetes cluster host runs its modules on the controller, as with M(ansible.builtin.local), and talks to
    its API server. This connection runs them with the host's own connection, its C(hubspoke_connection), in
    the E(K8S_AUTH_*) variables that kubernetes.core and this collection's modules read, and with every other
    E(K8S_AUTH_*) variable removed for that command.
  - So a task that states no auth options, M(kubernetes.core.k8s_info) for example, reaches the host's cluster,
    and no E(K8S_AUTH_HOST) or E(K8S_AUTH_API_KEY) in the environment (what AWX's Kubernetes credential injects
    into a job) can send it to another cluster.
  - For each command it writes the one kubeconfig that says how the cluster is reached (the stated context of
    the host's kubeconfig files, merged as kubectl merges them; a kubeconfig read from a hub Secret at task time;
    or a host-style connection) to a file readable only by the user, and removes it when the command returns.
  - A host with no C(hubspoke_connection) (and no C(hubspoke_kubeconfig)) keeps the environment as it is.
  - A task run once for many hosts (M(hubspoke.multicluster.cluster_status) with C(run_once=true), say) hands its
    module the connection of every host it works on; the host it runs on lends it no connection of its own, so
    that host's broken connection fails none of the others.
  - Python modules run in a fork of a process that has imported the kubernetes client and kubernetes.core once
    (see O(in_process)) rather than in a new interpreter each, which spares each module the interpreter start and
    those imports. The module, its arguments (check mode, diff, C(no_log)) and its result are the same as in a new
    interpreter. That process stays for the next playbook run for O(in_process_keep_alive) seconds.
  - The P(hubspoke.multicluster.clusters#inventory) inventory plugin sets C(ansible_connection) to this plugin.
extends_documentation_fragment:
  - connection_pipelining
options:
  cluster_connection:
    description:
      - The cluster's connection, a dict of kubernetes.core auth options (C(kubeconfig) and C(context), or C(host),
        C(ca_cert), C(validate_certs) and C(api_key) or C(client_cert) and C(client_key)).
    type: dict
    vars:
      - name: hubspoke_connection
  kubeconfig:
    description: Where O(cluster_connection) is unset, the kubeconfig of inventories written before it existed.
    type: raw
    vars:
      - name: hubspoke_kubeconfig
  context:
    description: Where O(cluster_connection) is unset, the kubeconfig context that goes with O(kubeconfig).
    type: str
    vars:
      - name: hubspoke_context
  in_process:
    description:
      - Run each Python module in a fork of the module server (a process started by the inventory plugin or the
        first such module, that imports the kubernetes client and kubernetes.core once) instead
        of starting the interpreter for it, when the module would run with the controller's own Python (C(ansible_python_interpreter) set to
        C(ansible_playbook_python), as the inventory plugin sets it) and nothing wraps the command (no
        C(become), no task C(environment), not C(async)); otherwise the module runs as a command, as with
        M(ansible.builtin.local).
      - V(false) starts an interpreter per module, as before (about a second of CPU per cluster and task).
    type: bool
    default: true
    vars:
      - name: hubspoke_in_process
    env:
      - name: HUBSPOKE_IN_PROCESS
  keep_payloads:
    description:
      - Keep the module payloads Ansible builds in a run (each module with the module_utils it imports, about a
        third of a second of the controller's CPU per module) for later runs of this user, in a folder only this
        user may enter beside the runs' temporary folders (C(local_tmp)); a later run is given a kept payload
        only while every file it was built from is unchanged (path, size, modification time).
      - V(false) builds every payload in every run, as Ansible does on its own.
    type: bool
    default: true
    vars:
      - name: hubspoke_keep_payloads
    env:
      - name: HUBSPOKE_KEEP_PAYLOADS
  in_process_keep_alive:
    description:
      - Seconds the module server of O(in_process) waits for another module after the last one started, so that
        the next playbook run of this user, with the same Python, collections, libraries and E(KUBECONFIG), finds it
        and no module of that run waits for its imports (about half a second), as C(ansible-connection) keeps a
        persistent connection. Its socket is in a folder only this user may enter, beside the runs' temporary
        folders (C(local_tmp)), named by a digest of what the server imported.
      - V(0) ends the server with the playbook run that started it, and every run imports again.
    type: int
    default: 60
    vars:
      - name: hubspoke_in_process_keep_alive
    env:
      - name: HUBSPOKE_IN_PROCESS_KEEP_ALIVE
notes:
  - Modules run as the user running Ansible, as with M(ansible.builtin.local); C(ansible_python_interpreter)
    should be the controller's Python (the inventory plugin sets it).
  - This connection always pipelines modules (no remote temporary files); C(ANSIBLE_KEEP_REMOTE_FILES) turns
    that off, and with it the fork.
"""

EXAMPLES = r"""
# A static inventory of clusters, without the inventory plugin:
# all:
#   vars:
#     ansible_connection: hubspoke.multicluster.cluster
#     ansible_python_interpreter: "{{ ansible_playbook_python }}"
#   hosts:
#     prod-hz:
#       hubspoke_connection: {kubeconfig: ~/.kube/fleet.yaml, context: prod-hz}
#     edge-1:
#       hubspoke_connection:
#         host: https://edge-1.example.com:6443
#         ca_cert: /etc/fleet/edge-1-ca.crt
#         api_key: "{{ lookup('ansible.builtin.env', 'EDGE_1_TOKEN') }}"
"""

import os

from ansible import constants as C
from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection.local import Connection as LocalConnection
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.display import Display

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import connections as fleet_connections
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import in_process, module_payloads, module_server
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster_environment import (
    cluster_environment,
    stated_connection,
)


display = Display()


class Connection(LocalConnection):
    """ansible.builtin.local, with each command given this cluster's K8S_AUTH_* and only those."""

    # Ansible runs a `local` transport's commands in the playbook's folder; these are local commands too.
    transport = "local"
    always_pipeline_modules = True

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        # Set before the task's module is built: the run gets the payloads earlier runs kept.
        if self.get_option("keep_payloads"):
            module_payloads.hand_over(C.DEFAULT_LOCAL_TMP)

    def exec_command(self, cmd, in_data=None, sudoable=True):
        try:
            return self._exec_command(cmd, in_data, sudoable)
        finally:
            if in_data and self.get_option("keep_payloads"):
                module_payloads.keep(C.DEFAULT_LOCAL_TMP)

    def _exec_command(self, cmd, in_data, sudoable):
        # A task run once for many hosts hands its module every host's connection (plugin_utils/fleet_action.py):
        # the connection of the host it runs on is not the module's to use, and one broken must not fail them all.
        try:
            connection = {} if fleet_connections.VARIABLE in os.environ else stated_connection(self.get_option)
            with cluster_environment(connection, tmpdir=C.DEFAULT_LOCAL_TMP):
                if self.get_option("in_process") and not self.become and in_process.runs_here(cmd, in_data):
                    result = module_server.run_module(in_data, self.cwd, C.DEFAULT_LOCAL_TMP,
                                                      AnsibleCollectionConfig.collection_paths,
                                                      module_server.keep_alive_setting(
                                                          self.get_option("in_process_keep_alive")))
                    if result is not None:
                        display.vvv("EXEC (in a fork of the module server) {0}".format(cmd),
                                    host=self._play_context.remote_addr)
                        return result
                return super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        except ClusterError as err:
            raise AnsibleConnectionFailure("hubspoke_connection of {0}: {1}".format(
                self._play_context.remote_addr, err)) from err
