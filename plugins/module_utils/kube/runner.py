# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: its argument spec and how it runs, so a module is its
documentation, its options and a short main().

A module works on the cluster its connection options reach, and some on a second cluster (an Argo CD hub, a
Karmada API server) named by one dict option. A domain error (kube/errors.ClusterError) fails the module with
its message; kubernetes.core's errors fail it as kubernetes.core does.
"""

import copy

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.adapter import (
    SECOND_CLUSTER_AUTH_SPEC,
    connect,
    plain_client,
    second_client,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import (
    ClusterError,
    ClusterUnreachable,
    api_message,
)


def cluster_module(options, second=None, second_required=True, **kwargs):
    """The module: kubernetes.core's auth options for its own cluster, `second` (a dict option of the same
    options) when it works on another cluster too, then its own `options`. Check mode is always supported."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    if second:
        spec[second] = dict(type="dict", required=second_required, options=SECOND_CLUSTER_AUTH_SPEC)
    spec.update(copy.deepcopy(options))
    return AnsibleK8SModule(module_class=AnsibleModule, argument_spec=spec, supports_check_mode=True, **kwargs)


def _finish(module, work, *args):
    try:
        result = work(module, *args)
    except ClusterError as err:
        module.fail_json(msg=str(err))
    except CoreException as err:
        refused = refusal(err)
        if refused:
            module.fail_json(msg=refused)
        module.fail_from_exception(err)
    module.exit_json(**result)


def refusal(err):
    """kubernetes.core's error for a 401 or 403 answer, worded as the credentials' fault; None for others."""
    cause = err.__cause__
    status = getattr(cause, "status", None)
    if status == 403:
        return "the cluster answered 403 Forbidden: {0} (the credentials are valid but may not do this)".format(
            api_message(cause))
    if status == 401:
        return "the cluster answered 401 Unauthorized: the token or client certificate is wrong or expired"
    return None


def run_on_cluster(module, work):
    """work(module, api_client) -> result, with a plain ApiClient for the module's cluster (no discovery)."""
    _finish(module, lambda module: work(module, plain_client(module)))


def run_on_two_clusters(module, sides, second, work, unreachable=None):
    """work(module, own, other) -> result, with kubernetes.core K8sServices for the module's cluster and for the
    cluster of the `second` option; `sides` name both in messages, for example ("spoke", "hub").

    When the module's own cluster does not answer, unreachable(module, other, error) -> result does the work
    instead if given (removing what the other cluster holds for a dead one), else the module fails."""
    def both(module):
        other = K8sService(second_client(module, sides[1], second), module)
        try:
            own = K8sService(connect(module, sides[0]), module)
        except ClusterUnreachable as err:
            if unreachable is None:
                raise
            return unreachable(module, other, err)
        return work(module, own, other)

    _finish(module, both)
