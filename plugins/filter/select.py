# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.select: the inventory hosts a Kubernetes label selector picks."""

from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.module_utils.selectors.label_selector import (
    LabelSelectorError,
    select_hosts,
)

DOCUMENTATION = r"""
name: select
short_description: Inventory hosts whose cluster labels match a Kubernetes label selector
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Evaluates a Kubernetes LabelSelector (C(matchLabels) and C(matchExpressions) with C(In), C(NotIn),
    C(Exists), C(DoesNotExist)) against each host's C(hubspoke_labels), the labels the
    P(hubspoke.multicluster.clusters#inventory) inventory plugin sets.
  - These are the semantics of Argo CD's ApplicationSet Cluster generator and of Karmada's cluster affinity,
    so a playbook can preview which clusters such a selector targets.
  - A selector Kubernetes would reject (unknown operator, C(In) without values, C(Exists) with values,
    an invalid key or value) is an error that names the term.
options:
  _input:
    description: Host names, for example C(groups['all']).
    type: list
    elements: str
    required: true
  selector:
    description: A LabelSelector dict, or a list of matchExpressions as shorthand.
    type: raw
    required: true
  hostvars:
    description: The C(hostvars) of the play, where each host's C(hubspoke_labels) is read.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Which clusters will the ApplicationSet reach?
  ansible.builtin.debug:
    msg: >-
      {{ groups['all'] | hubspoke.multicluster.select({'matchLabels': {'environment': 'production'},
         'matchExpressions': [{'key': 'region', 'operator': 'In', 'values': ['cn-hangzhou']}]}, hostvars) }}
"""

RETURN = r"""
_value:
  description: The input host names whose labels match, in input order.
  type: list
  elements: str
"""


def select(hosts, selector, hostvars):
    try:
        return select_hosts(hosts, selector, hostvars)
    except LabelSelectorError as err:
        raise AnsibleFilterError("hubspoke.multicluster.select: {0}".format(err)) from err


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"select": select}
