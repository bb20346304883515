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

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.adapter import (
    SECOND_CLUSTER_AUTH_SPEC,
    api_client,
    connect,
    second_client,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ClusterError

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes"), which fails the module first
    class CoreException(Exception):
        """Stands in for kubernetes.core's, which needs the kubernetes library."""


def cluster_module(options, second=None, **kwargs):
    """The module: kubernetes.core's auth options for its own cluster, `second` (a dict option of the same
    options) when it works on another cluster too, then its own `options`. Check mode is always supported."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    if second:
        spec[second] = dict(type="dict", required=True, options=SECOND_CLUSTER_AUTH_SPEC)
    spec.update(copy.deepcopy(options))
    return AnsibleK8SModule(module_class=AnsibleModule, argument_spec=spec, supports_check_mode=True, **kwargs)


def _finish(module, work, *args):
    try:
        result = work(module, *args)
    except ClusterError as err:
        module.fail_json(msg=str(err))
    except CoreException as err:
        module.fail_from_exception(err)
    module.exit_json(**result)


def run_on_cluster(module, work):
    """work(module, api_client) -> result, with a plain ApiClient for the module's cluster (no discovery)."""
    _finish(module, work, api_client(module))


def run_on_two_clusters(module, sides, second, work):
    """work(module, own, other) -> result, with kubernetes.core K8sServices for the module's cluster and for the
    cluster of the `second` option; `sides` name both in messages, for example ("spoke", "hub")."""
    own = connect(module, sides[0])
    other = second_client(module, sides[1], second)
    _finish(module, work, K8sService(own, module), K8sService(other, module))
