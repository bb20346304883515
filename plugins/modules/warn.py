#!/usr/bin/python
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: warn
short_description: Emit an Ansible warning from a play or role
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Shows O(msg) as a C([WARNING]), which callbacks, the recap and AWX job events count as a warning, unlike
    M(ansible.builtin.debug) output.
  - The collection's roles use it for a risk they accept on the user's behalf, such as a plaintext Thanos StoreAPI.
  - Runs on the controller only and never changes anything.
options:
  msg:
    description: The warning.
    type: str
    required: true
extends_documentation_fragment:
  - hubspoke.multicluster.attributes.CONTROLLER_ACTION
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
attributes:
  diff_mode:
    support: none
seealso:
  - module: ansible.builtin.debug
"""

EXAMPLES = r"""
- name: Warn that the StoreAPI runs plaintext
  hubspoke.multicluster.warn:
    msg: "{{ inventory_hostname }}: Thanos StoreAPI without TLS"
  when: not thanos_sidecar_tls_secret
"""

RETURN = r"""
msg:
  description: The warning.
  returned: always
  type: str
"""
