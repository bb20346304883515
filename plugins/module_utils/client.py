# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clients from kubernetes.core's auth options: a plain one without API discovery, and a second
cluster's (a hub, a control plane) for modules that work on two clusters at once.

kubernetes.core's get_api_client() builds a dynamic client that calls /version and reads discovery
before the module does anything, with no timeout and raising on an unreachable server. Probes must
answer fast and report a dead cluster as data, so they build the client from the same auth spec
(every option and K8S_AUTH_* fallback behaves exactly as in kubernetes.core) and skip discovery.
"""

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC

try:
    import kubernetes
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import (
        _create_auth_spec,
        _create_configuration,
        _create_headers,
        _set_header,
        get_api_client,
    )
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    pass

# A second cluster's connection (a dict option): kubernetes.core's auth options, with the same no_log
# marks, without the aliases and environment fallbacks that belong to the module's own connection.
SECOND_CLUSTER_AUTH_SPEC = {
    key: dict(AUTH_ARG_SPEC[key], aliases=[]) if "aliases" in AUTH_ARG_SPEC[key] else AUTH_ARG_SPEC[key]
    for key in ("kubeconfig", "context", "host", "api_key", "ca_cert", "client_cert", "client_key", "validate_certs")
}


def api_client(module=None, retries=0, **auth):
    """ApiClient for a module's auth options, or for `auth` options and K8S_AUTH_* without a module.

    `retries=0` fails fast: the caller decides about retrying (None keeps urllib3's default).
    """
    configuration = _create_configuration(_create_auth_spec(module, **auth))
    configuration.retries = retries
    client = kubernetes.client.ApiClient(configuration)
    for header, value in _create_headers(module, **auth).items():
        _set_header(client, header, value)
    return client


def module_api_client(module):
    """api_client(module), or a failed module with the reason when the connection options cannot make one."""
    try:
        return api_client(module)
    except Exception as err:  # pylint: disable=broad-exception-caught
        # kubernetes.config raises ConfigException, ValueError, KeyError... for a bad kubeconfig.
        module.fail_json(msg="cannot build a client from the connection options: {0}".format(err))
    return None


def connection_error_reason(err):
    """The innermost cause of a urllib3 error: 'Connection refused' rather than a retry wrapper."""
    reason = getattr(err, "reason", None)
    return str(reason if reason is not None else err)


def connect(module, side, auth=None):
    """kubernetes.core's client (it reads API discovery at once) for the module's connection, or for `auth`
    (a second cluster's options); an unreachable cluster fails the module naming the side and the cause."""
    try:
        return get_api_client(**auth) if auth is not None else get_api_client(module)
    except CoreException:
        raise
    except Exception as err:  # pylint: disable=broad-exception-caught  # urllib3 and ApiException from discovery
        host = api_client(**auth).configuration.host if auth is not None else api_client(module).configuration.host
        module.fail_json(msg="cannot reach the {0} at {1}: {2}".format(side, host, connection_error_reason(err)))


def connect_second(module, side, option):
    """The client of the cluster named by a dict option built from SECOND_CLUSTER_AUTH_SPEC; check mode
    holds for it as for the module's own cluster."""
    client = connect(module, side, {k: v for k, v in module.params[option].items() if v is not None})
    client.dry_run = module.check_mode
    return client
