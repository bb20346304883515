#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: host_result
short_description: Report a host's part of a task run once for many hosts as the host's own result
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - A task with C(run_once=true) has one result for all hosts - it fails all of them or none, and its change is
    counted once. The collection's run-once tasks (M(hubspoke.multicluster.argocd_cluster) with O(hubspoke.multicluster.argocd_cluster#module:spokes),
    M(hubspoke.multicluster.cluster_status), M(hubspoke.multicluster.gatekeeper_report)) return each host's
    result under C(clusters), keyed by host name.
  - This task, run by every host, reports the host's entry of O(result) as the host's own - C(changed),
    C(failed) and C(msg), C(diff) (shown with C(--diff)), C(warnings) and the return values - so the recap,
    C(ignore_errors), C(failed_when) and C(register) work per host as if the task had run for each.
  - Fails a host the run-once task did not work on, and every host when that task was skipped (its first host
    skipped it), saying so.
  - Runs on the controller only; no module runs and nothing changes.
options:
  result:
    description:
      - The registered result of the task that ran once. One of O(result) and O(registered) is required.
      - Ansible templates it whole for each host, so each host pays for the whole fleet's result; O(registered)
        does not.
    type: dict
  registered:
    description:
      - The name of the variable the task that ran once registered its result in, read as it is, so each host
        reads only its own entry. One of O(result) and O(registered) is required.
    type: str
extends_documentation_fragment:
  - hubspoke.multicluster.attributes.CONTROLLER_ACTION
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
attributes:
  diff_mode:
    support: full
    details: Shows the diff the run-once task returned for the host.
"""

EXAMPLES = r"""
- name: Register the play's spokes in one task
  hubspoke.multicluster.argocd_cluster:
    hub: "{{ hostvars['hub'].hubspoke_connection }}"
    spokes: "{{ dict(ansible_play_batch | zip(ansible_play_batch | map('extract', hostvars, 'my_registration'))) }}"
  run_once: true
  register: registered

- name: Each spoke reports its own registration (changed, failed, diff)
  hubspoke.multicluster.host_result:
    registered: registered

- name: Fail each cluster that did not answer, alone
  hubspoke.multicluster.host_result:
    result: "{{ fleet_status }}"
  failed_when: not fleet_status.clusters[inventory_hostname].reachable
"""

RETURN = r"""
changed:
  description: Whether the run-once task changed something for this host.
  returned: always
  type: bool
"""
