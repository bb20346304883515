# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes every module of the collection documents (check mode, diff mode, action group), and those of the
controller-only actions."""


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the clusters.
  diff_mode:
    description: Will return details on what has changed (or would change in C(check_mode)), when in diff mode.
  action_group:
    description: Use C(group/hubspoke.multicluster.fleet) in C(module_defaults) to set the cluster connection once.
    support: full
    membership:
      - hubspoke.multicluster.fleet
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This action does not modify state.
  diff_mode:
    support: N/A
    details: This action does not modify state.
"""

    # An action that only works on results it is handed, on the controller: what Ansible's action attributes
    # (ansible.builtin.action_common_attributes, .conn, .flow) say of it. diff_mode is each action's own. List it
    # before Ansible's fragments: of two fragments, the first one merged keeps its values.
    CONTROLLER_ACTION = r"""
options: {}
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  become:
    support: none
  check_mode:
    support: full
  connection:
    support: none
  delegation:
    support: none
  platform:
    support: full
    platforms: all
"""
