# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one file that reaches into kubernetes.core beyond its documented module API: clients for modules.

It builds a module's clients from kubernetes.core's auth options: a plain ApiClient without API discovery
(kubernetes.core's get_api_client() calls /version and reads discovery before a module does anything, with no
timeout, and raises on an unreachable server; a probe must answer fast and report a dead cluster as data), the
discovering client for the module's own cluster, and one for a second cluster (a hub, a control plane) built
from its own options. It uses kubernetes.core's private _create_auth_spec, _create_configuration,
_create_headers and _set_header, so every option and K8S_AUTH_* fallback behaves exactly as in kubernetes.core;
galaxy.yml bounds kubernetes.core to the major version this is tested with.
"""

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import connection as kube_connection
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import (
    ConnectionOptionsError,
    api_failure,
)

try:
    import kubernetes
    from ansible_collections.kubernetes.core.plugins.module_utils import k8sdynamicclient
    from ansible_collections.kubernetes.core.plugins.module_utils.client.discovery import LazyDiscoverer
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import (
        K8SClient,
        _create_auth_spec,
        _create_configuration,
        _create_headers,
        _set_header,
    )
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    pass

# A second cluster's connection (a dict option, a host's hubspoke_connection): kubernetes.core's auth options,
# with the same no_log marks, without the aliases and environment fallbacks of the module's own connection.
SECOND_CLUSTER_AUTH_SPEC = {
    key: dict(AUTH_ARG_SPEC[key], aliases=[]) if "aliases" in AUTH_ARG_SPEC[key] else AUTH_ARG_SPEC[key]
    for key in kube_connection.OPTIONS
}


def api_client(module, retries=0):
    """ApiClient for a module's auth options, with kubernetes.core's K8S_AUTH_* fallbacks.

    `retries=0` fails fast: the caller decides about retrying (None keeps urllib3's default).
    """
    configuration = _create_configuration(_create_auth_spec(module))
    configuration.retries = retries
    client = kubernetes.client.ApiClient(configuration)
    for header, value in _create_headers(module).items():
        _set_header(client, header, value)
    return kube_client.bounded(client)


def plain_client(module, side="cluster"):
    """api_client() for a module's own cluster, a kubeconfig it cannot read raising ConnectionOptionsError."""
    try:
        return api_client(module)
    except Exception as err:  # pylint: disable=broad-exception-caught  # ConfigException, YAML and key errors
        raise ConnectionOptionsError("the {0}'s connection cannot be used: {1}".format(side, err)) from err


def discovering(api, side, dry_run):
    """kubernetes.core's client over `api`, after asking the server for /version: discovery may come from
    kubernetes.core's cache file, so only a request proves the cluster answers and takes the credentials."""
    try:
        kube_client.get_text(api, "/version")
        client = K8SClient(configuration=api.configuration,
                           client=k8sdynamicclient.K8SDynamicClient(api, discoverer=LazyDiscoverer), dry_run=dry_run)
        client.resources.get(api_version="v1", kind="Namespace")
    except Exception as err:  # pylint: disable=broad-exception-caught  # urllib3 and ApiException alike
        raise api_failure(side, api.configuration.host, err) from err
    return client


def connect(module, side):
    """kubernetes.core's client for the module's connection, as get_api_client() builds it but with every request
    bounded by kube/client.REQUEST_TIMEOUT. Raises ConnectionOptionsError (a kubeconfig that cannot be read),
    ClusterUnreachable or CredentialsRefused, naming the side and the cause."""
    return discovering(plain_client(module, side), side, module.server_side_dry_run)


def second_client(module, side, option):
    """A kubernetes.core client for the cluster of a dict option built from SECOND_CLUSTER_AUTH_SPEC, from its
    options alone (else HUBSPOKE_HUB_*): in a cluster host's module, K8S_AUTH_* are the host's own cluster.
    Check mode holds for it as for the module's own cluster."""
    connection = kube_connection.second_cluster(module.params[option])
    if not connection:
        raise ConnectionOptionsError("the {0} states no connection: set the `{1}` option (the {0} host's "
                                     "hubspoke_connection) or the HUBSPOKE_HUB_* variables".format(side, option))
    try:
        api = kube_client.bounded(kube_client.for_connection(connection))
    except ConnectionOptionsError as err:
        raise ConnectionOptionsError("the {0}'s connection: {1}".format(side, err)) from err
    return discovering(api, side, module.server_side_dry_run)


def hide_values(module, values):
    """Mask `values` in the module's result as no_log options' values are: values a module finds in an option of
    its own validation (a dict of options per host), which AnsibleModule's spec does not know."""
    module._module.no_log_values.update(values)  # pylint: disable=protected-access  # AnsibleK8SModule has no proxy
