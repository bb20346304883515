# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An ApiClient for a stated connection (module_utils/kube/connection.py), built from its options only.

kubernetes.core builds clients from module parameters with every unset option taken from K8S_AUTH_*; a
second cluster must not be, because in a cluster host's module those variables describe the host's own
cluster. This builds the client with the kubernetes library itself: kubernetes.config for a kubeconfig, of the
one context kube/kubeconfig_files.py reads from the files (merged as kubectl merges KUBECONFIG lists),
kubernetes.client.Configuration for a host-style connection.
"""

import json
import os
import threading

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import connection as kube_connection
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import kubeconfig_files
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ConnectionOptionsError


# (connect, read) seconds for every request that states no timeout of its own: the kubernetes library waits
# forever by default, so a server that accepts a connection and never answers would stall a task for good.
REQUEST_TIMEOUT = (10, 60)


def bounded(client, timeout=REQUEST_TIMEOUT):
    """`client` (an ApiClient) with `timeout` on each request that sets none; returns it."""
    request = client.rest_client.request

    def request_with_timeout(*args, **kwargs):
        if kwargs.get("_request_timeout") is None:
            kwargs["_request_timeout"] = timeout
        return request(*args, **kwargs)

    client.rest_client.request = request_with_timeout
    return client


def get_text(client, path, timeout=None, query=None, accept=None):
    """The body of the answer to GET `path`, read raw and whole, so that the connection serves the next request
    (an answer left unread keeps it, and the next request opens another, a TLS handshake more)."""
    response = client.call_api(path, "GET", query_params=list((query or {}).items()),
                               header_params={"Accept": accept} if accept else {}, auth_settings=["BearerToken"],
                               _preload_content=False, _request_timeout=timeout)
    raw = response[0] if isinstance(response, tuple) else response  # a tuple in older clients
    return raw.data


def get_json(client, path, timeout=None, query=None, accept=None):
    """The decoded JSON answer to GET `path`, read raw: the client's models cost milliseconds per object, more
    than the request itself on a near API server. `accept` asks for another form (metadata only, say)."""
    return json.loads(get_text(client, path, timeout, query, accept))


# kubernetes.config writes a kubeconfig's certificate data to temporary files, cached by content, and names a file
# in its cache before writing it: a thread building a client for the same CA at that moment (a run-once task over
# a fleet with one CA) gets a file still empty. Clients are built one at a time; building one takes milliseconds.
_BUILDING = threading.Lock()


def _library():
    """The kubernetes library, imported when a client is first built: a controller plugin that reads no API (an
    inventory of kubeconfig contexts) must not pay its import, half a second of every ansible-playbook run."""
    try:
        import kubernetes.client  # pylint: disable=import-outside-toplevel
        import kubernetes.config  # pylint: disable=import-outside-toplevel
    except ImportError as err:  # modules report it through missing_required_lib first
        raise ConnectionOptionsError("the kubernetes Python library is required (pip install kubernetes)") from err
    return kubernetes


def _kubeconfig_client(options):
    kubernetes = _library()
    kubeconfig, context = options["kubeconfig"], options.get("context")
    try:
        if isinstance(kubeconfig, dict):
            return kubernetes.config.new_client_from_config_dict(kubeconfig, context=context, persist_config=False)
        paths = [os.path.expanduser(p) for p in str(kubeconfig).split(os.pathsep) if p]
        if not any(os.path.exists(p) for p in paths):
            raise ConnectionOptionsError("kubeconfig {0} does not exist".format(kubeconfig))
        document = kubeconfig_files.minify([p for p in paths if os.path.exists(p)], context)
        return kubernetes.config.new_client_from_config_dict(document, persist_config=False)
    except ConnectionOptionsError:
        raise
    except Exception as err:  # ConfigException, YAML errors, KeyError: a kubeconfig that cannot be used
        raise ConnectionOptionsError("kubeconfig {0} (context {1}): {2}".format(
            "(a dict)" if isinstance(kubeconfig, dict) else kubeconfig, context or "(current)", err)) from err


def _host_client(options):
    kubernetes = _library()
    configuration = kubernetes.client.Configuration()
    configuration.host = options["host"].rstrip("/")
    if options.get("api_key"):
        configuration.api_key = {"authorization": "Bearer {0}".format(options["api_key"])}
    if options.get("ca_cert"):
        configuration.ssl_ca_cert = os.path.expanduser(options["ca_cert"])
    if options.get("client_cert"):
        configuration.cert_file = os.path.expanduser(options["client_cert"])
        configuration.key_file = os.path.expanduser(options.get("client_key") or "")
    configuration.verify_ssl = options.get("validate_certs", True) is not False
    if options.get("proxy"):
        configuration.proxy = options["proxy"]
    return kubernetes.client.ApiClient(configuration)


def for_connection(connection, retries=0):
    """ApiClient for a stated connection; {} is the default kubeconfig (KUBECONFIG or ~/.kube/config).

    `retries=0` fails fast: the caller decides about retrying (None keeps urllib3's default).
    """
    options = kube_connection.stated(connection)
    with _BUILDING:
        if "kubeconfig" in options or "host" not in options:
            client = _kubeconfig_client(dict(options, kubeconfig=options.get("kubeconfig") or os.environ.get(
                "KUBECONFIG", "~/.kube/config")))
        else:
            client = _host_client(options)
    client.configuration.retries = retries
    return client
