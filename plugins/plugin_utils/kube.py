# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading hub clusters from controller plugins: a client per kubeconfig context, raw JSON lists.

Lists are read with _preload_content=False and json.loads: deserializing 1,000 Secrets into
kubernetes client models costs seconds, the raw JSON a few milliseconds.
"""

import json
import os

try:
    import kubernetes
    from kubernetes.client.exceptions import ApiException
    HAS_KUBERNETES = True
except ImportError:
    HAS_KUBERNETES = False

from ansible_collections.hubspoke.multicluster.plugins.module_utils.client import api_client, connection_error_reason
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError


def client_for(kubeconfig=None, context=None, what="hub"):
    """An ApiClient for one kubeconfig context, leaving the kubernetes client's global config alone.

    Unset options fall back to the K8S_AUTH_* variables kubernetes.core modules read (AWX injects them).
    """
    if not HAS_KUBERNETES:
        raise ClusterInventoryError("the kubernetes Python library is required (pip install kubernetes)")
    kubeconfig = kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG")
    context = context or os.environ.get("K8S_AUTH_CONTEXT")
    if not kubeconfig and not context and os.environ.get("K8S_AUTH_HOST"):
        # host, api_key, CA, client certificate, validate_certs... exactly as kubernetes.core reads them.
        return api_client(retries=None)
    path = os.path.expanduser(kubeconfig) if kubeconfig else None
    if path and not os.path.exists(path):
        raise ClusterInventoryError("{0} kubeconfig {1} does not exist".format(what, path))
    try:
        return kubernetes.config.new_client_from_config(config_file=path, context=context, persist_config=False)
    except Exception as err:  # ConfigException, yaml errors, KeyError: all mean a kubeconfig we cannot use
        raise ClusterInventoryError("{0} kubeconfig {1} (context {2}): {3}".format(
            what, path or "(default)", context or "(current)", err)) from err


def get_json(api_client, path, query=None, timeout=15):
    """GET path and return the decoded JSON; API and connection errors become ClusterInventoryError."""
    try:
        response = api_client.call_api(path, "GET", query_params=list((query or {}).items()),
                                       auth_settings=["BearerToken"], _preload_content=False,
                                       _request_timeout=timeout)
    except ApiException as err:
        raise ClusterInventoryError("{0} answered {1} {2} for {3}".format(
            api_client.configuration.host, err.status, err.reason, path)) from err
    except Exception as err:  # urllib3's errors: the server cannot be reached
        raise ClusterInventoryError("cannot reach {0}: {1}".format(
            api_client.configuration.host, connection_error_reason(err))) from err
    # call_api returns the raw response, or a (data, status, headers) tuple in older clients.
    raw = response[0] if isinstance(response, tuple) else response
    return json.loads(raw.data)


def list_items(api_client, path, label_selector=None, timeout=30):
    """All items of a list, following continue tokens (500 per page)."""
    items = []
    query = {"limit": 500}
    if label_selector:
        query["labelSelector"] = label_selector
    while True:
        page = get_json(api_client, path, query, timeout)
        items.extend(page.get("items", []))
        token = page.get("metadata", {}).get("continue")
        if not token:
            return items
        query["continue"] = token
