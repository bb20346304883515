# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading hub clusters from controller plugins: a client per hub connection, raw JSON lists.

Lists are read raw (module_utils/kube/client.get_json): deserializing 1,000 Secrets into
kubernetes client models costs seconds, the raw JSON a few milliseconds.
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import api_message, connection_error_reason
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import connection as kube_connection
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import ConnectionOptionsError
from ansible_collections.hubspoke.multicluster.plugins.plugin_utils.cluster import ClusterInventoryError


def source_connection(spec):
    """How a source reaches its hub: its `connection`, with `kubeconfig` and `context` as shorthands; {} when it
    states none, and the hub is then reached through the environment (module_utils/kube/connection.controller_hub)."""
    stated = dict(spec.get("connection") or {}, **{k: spec[k] for k in ("kubeconfig", "context") if spec.get(k)})
    try:
        return kube_connection.stated(stated)
    except ConnectionOptionsError as err:
        raise ClusterInventoryError("source {0}: {1}".format(spec.get("name"), err)) from err


def client_for(connection=None, what="hub"):
    """An ApiClient for a hub connection, leaving the kubernetes client's global config alone."""
    try:
        return kube_client.for_connection(kube_connection.controller_hub(connection), retries=None)
    except ConnectionOptionsError as err:
        raise ClusterInventoryError("{0} {1}".format(what, err)) from err


def get_json(api_client, path, query=None, timeout=15):
    """GET path and return the decoded JSON; API and connection errors become ClusterInventoryError."""
    from kubernetes.client.exceptions import ApiException  # pylint: disable=import-outside-toplevel  # see client.py

    try:
        return kube_client.get_json(api_client, path, timeout, query)
    except ApiException as err:
        raise ClusterInventoryError("{0} answered {1} {2} for {3}: {4}".format(
            api_client.configuration.host, err.status, err.reason, path, api_message(err))) from err
    except Exception as err:  # urllib3's errors: the server cannot be reached
        raise ClusterInventoryError("cannot reach {0}: {1}".format(
            api_client.configuration.host, connection_error_reason(err))) from err


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
