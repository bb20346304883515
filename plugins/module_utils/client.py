# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plain kubernetes ApiClient from kubernetes.core's auth options, without API discovery.

kubernetes.core's get_api_client() builds a dynamic client that calls /version and reads discovery
before the module does anything, with no timeout and raising on an unreachable server. Probes must
answer fast and report a dead cluster as data, so they build the client from the same auth spec
(every option and K8S_AUTH_* fallback behaves exactly as in kubernetes.core) and skip discovery.
"""

try:
    import kubernetes
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import (
        _create_auth_spec,
        _create_configuration,
        _create_headers,
        _set_header,
    )
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    pass


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


def connection_error_reason(err):
    """The innermost cause of a urllib3 error: 'Connection refused' rather than a retry wrapper."""
    reason = getattr(err, "reason", None)
    return str(reason if reason is not None else err)
