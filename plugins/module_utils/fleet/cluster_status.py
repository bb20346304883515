# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probe clusters: does each answer, which version, is it ready, how many nodes are Ready, which cluster it is.

kubernetes.core's k8s_cluster_info reports version and APIs but fails on an unreachable cluster and
does not read /readyz or node readiness; failover and fleet summaries need all of it as data. Answers are read
as raw JSON, and many clusters are probed at once (fleet/fanout.py).
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import fanout
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import READ_OPTIONS
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.adapter import api_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import connection_error_reason

try:
    from kubernetes.client.exceptions import ApiException
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    pass


# The cluster_status module's options (beside kubernetes.core's auth options).
OPTIONS = dict(READ_OPTIONS, fail_on_unreachable=dict(type="bool", default=False))


def _node_ready(node):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def _readyz(api_client, timeout):
    """The /readyz verdict and, when not ready, the failing checks named by ?verbose."""
    try:
        kube_client.get_text(api_client, "/readyz", timeout)
        return True, []
    except ApiException as err:
        failed = [line.split("]", 1)[-1].split()[0] for line in (err.body or "").splitlines()
                  if line.startswith("[-]")]
        return False, failed


def unreachable(msg=""):
    """The status of a cluster nothing could be read from."""
    return {"reachable": False, "ready": False, "version": {}, "nodes": {"total": 0, "ready": 0},
            "failed_checks": [], "cluster_id": "", "msg": msg}


def probe(api_client, timeout=10):
    """Return a status dict; connection failures become reachable=False with a message, not an exception."""
    status = unreachable()
    try:
        code = kube_client.get_json(api_client, "/version", timeout)
    except ApiException as err:
        status["msg"] = "API server answered {0} {1} to /version".format(err.status, err.reason)
        return status
    except Exception as err:  # pylint: disable=broad-exception-caught
        # urllib3 raises its own hierarchy (MaxRetryError, SSLError, ...): all mean "not reachable".
        status["msg"] = "cannot reach {0}: {1}".format(api_client.configuration.host, connection_error_reason(err))
        return status
    status["reachable"] = True
    status["version"] = {"git_version": code.get("gitVersion"), "major": code.get("major"),
                         "minor": code.get("minor"), "platform": code.get("platform")}
    status["ready"], status["failed_checks"] = _readyz(api_client, timeout)
    try:
        nodes = kube_client.get_json(api_client, "/api/v1/nodes", timeout).get("items") or []
        status["nodes"] = {"total": len(nodes), "ready": sum(1 for n in nodes if _node_ready(n))}
    except ApiException as err:
        status["msg"] = "cannot list nodes: {0} {1}".format(err.status, err.reason)
    try:
        # The kube-system Namespace's UID: what Karmada and Submariner take as a cluster's identity.
        status["cluster_id"] = kube_client.get_json(api_client, "/api/v1/namespaces/kube-system", timeout)["metadata"]["uid"]
    except (ApiException, KeyError):
        pass  # a token that may not read namespaces still gets the rest of the status
    return status


def status_of(module):
    """The cluster_status module's probe of its cluster; a connection no client can be built from is data too."""
    try:
        client = api_client(module)
    except Exception as err:  # pylint: disable=broad-exception-caught  # kubernetes.config raises many kinds
        return unreachable("cannot build a client from the connection options: {0}".format(err))
    return probe(client, module.params["timeout"])


def statuses_of(connections, timeout=10, concurrency=20):
    """{name: status} of every cluster of {name: connection}, at most `concurrency` probed at a time."""
    return fanout.read_each(connections, lambda client: probe(client, timeout), unreachable, concurrency)
