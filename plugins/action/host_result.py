# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.host_result: a host's part of a task that ran once for many hosts, as its own result.

A task run once has one result, which Ansible gives every host alike: it fails every host or none, and counts
its change once. The collection's run-once tasks return each host's result under `clusters`; this reports the
host's own, so the recap, `failed`, `changed`, diffs and warnings are per host again. On the controller only,
with no module run; ansible-core has no task that turns a registered result into the host's status.
"""

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("result", "registered"))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validated, args = self.validate_argument_spec(
            argument_spec={"result": {"type": "dict"}, "registered": {"type": "str"}},
            mutually_exclusive=[("result", "registered")], required_one_of=[("result", "registered")])
        host = task_vars["inventory_hostname"]
        # A registered variable is plain data in task_vars: read by name, only this host's entry is touched, where
        # a templated `result` costs each host the whole fleet's result.
        registered = args["result"] if args["result"] is not None else task_vars.get(args["registered"], {"skipped": True})
        clusters = registered.get("clusters") if isinstance(registered, dict) else None
        if not isinstance(clusters, dict):
            why = "was skipped" if registered.get("skipped") else "returned no clusters"
            return dict(result, failed=True, msg=(
                "the task run once for the play {0}, so {1} has no result of its own: a run_once task runs only if its "
                "first host runs it, so leave hosts out with --limit or meta end_host, not with a when on the role "
                "or block around it".format(why, host)))
        if host not in clusters:
            return dict(result, failed=True, msg="the task run once for the play did not work on {0}".format(host))
        result.update(clusters[host])
        result.setdefault("changed", False)
        return result
