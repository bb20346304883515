# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.warn: a role's warning as an Ansible warning.

ansible.builtin.debug prints a message as task output, which a recap, a callback or an AWX job's warning
count does not see; a risk a role accepts on the user's behalf (plaintext, a range it could not read) must be
a warning. ansible-core has no task for that, hence this one, on the controller only.
"""

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("msg",))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validated, args = self.validate_argument_spec(argument_spec={"msg": {"type": "str", "required": True}})
        result.update(changed=False, msg=args["msg"], warnings=[args["msg"]])
        return result
