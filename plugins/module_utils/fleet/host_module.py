# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module as the work for one host of a task run once for many sees it.

kubernetes.core's K8sService and the collection's domain code read their module's params, check and diff modes
and warn() through it. A run-once task does the work of many hosts, each with options of its own, in threads
of one module run: each host's work gets this stand-in, with that host's validated options, the task's check
and diff modes, and warnings kept for that host's result rather than the task's.
"""

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator


class HostOptionsError(Exception):
    """A host's options do not validate; the message says which and why."""


def validated(spec, params, mutually_exclusive=None, required_if=None):
    """(options with defaults filled in, their no_log values) of one host, or HostOptionsError."""
    result = ArgumentSpecValidator(spec, mutually_exclusive=mutually_exclusive, required_if=required_if).validate(params)
    if result.error_messages:
        raise HostOptionsError("; ".join(result.error_messages))
    return result.validated_parameters, result._no_log_values  # pylint: disable=protected-access


class HostModule:
    """One host's module: its own params and warnings, the task's check mode and diff."""

    def __init__(self, module, params):
        self.params = params
        self.check_mode = module.check_mode
        self._diff = module._diff  # pylint: disable=protected-access  # kubernetes.core's runner reads it so
        self.server_side_dry_run = module.server_side_dry_run
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)
