# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Objects of one kind read from a cluster, or from many at once (fleet/fanout.py): the fleet_info module.

kubernetes.core's k8s_info reads the cluster's whole API discovery before its request and runs once per cluster;
over a fleet that is a module run and a discovery per cluster for one list each. Here the kind's resource name
is found in its one group version's discovery document (or, for the built-in kinds every API server serves, in
BUILT_IN, with no request), and the list is read as raw JSON: one or two requests per cluster. A cluster that
cannot be read is data in its entry (`read` false, `msg`), never a failure of the others.
"""

import json
from urllib.parse import quote

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import fanout
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.connections import READ_OPTIONS
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import client as kube_client
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import connection_error_reason

try:
    from kubernetes.client.exceptions import ApiException
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes")
    pass

# The fleet_info module's options (beside kubernetes.core's auth options).
OPTIONS = dict(
    READ_OPTIONS,
    api_version=dict(type="str", default="v1"),
    kind=dict(type="str", required=True),
    namespace=dict(type="str"),
    name=dict(type="str"),
    label_selectors=dict(type="list", elements="str", default=[]),
    field_selectors=dict(type="list", elements="str", default=[]),
)


# (resource name, namespaced) of the kinds of Kubernetes' GA built-in group versions, which a conformant API
# server serves and never renames or rescopes: a read of one needs no discovery request.
BUILT_IN = {
    ("v1", "ConfigMap"): ("configmaps", True),
    ("v1", "Endpoints"): ("endpoints", True),
    ("v1", "Event"): ("events", True),
    ("v1", "LimitRange"): ("limitranges", True),
    ("v1", "Namespace"): ("namespaces", False),
    ("v1", "Node"): ("nodes", False),
    ("v1", "PersistentVolume"): ("persistentvolumes", False),
    ("v1", "PersistentVolumeClaim"): ("persistentvolumeclaims", True),
    ("v1", "Pod"): ("pods", True),
    ("v1", "ResourceQuota"): ("resourcequotas", True),
    ("v1", "Secret"): ("secrets", True),
    ("v1", "Service"): ("services", True),
    ("v1", "ServiceAccount"): ("serviceaccounts", True),
    ("apps/v1", "DaemonSet"): ("daemonsets", True),
    ("apps/v1", "Deployment"): ("deployments", True),
    ("apps/v1", "ReplicaSet"): ("replicasets", True),
    ("apps/v1", "StatefulSet"): ("statefulsets", True),
    ("batch/v1", "CronJob"): ("cronjobs", True),
    ("batch/v1", "Job"): ("jobs", True),
    ("networking.k8s.io/v1", "Ingress"): ("ingresses", True),
    ("networking.k8s.io/v1", "NetworkPolicy"): ("networkpolicies", True),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("clusterroles", False),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ("clusterrolebindings", False),
    ("rbac.authorization.k8s.io/v1", "Role"): ("roles", True),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ("rolebindings", True),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): ("customresourcedefinitions", False),
}


class KindNotServed(Exception):
    """The cluster serves no such kind in that group version."""


def unread(msg):
    """A cluster nothing could be read from."""
    return {"read": False, "resources": [], "msg": msg}


def _group_path(api_version):
    return "/api/v1" if api_version == "v1" else "/apis/" + api_version


def resource_of(client, api_version, kind, timeout):
    """(resource name, namespaced) of `kind` from its group version's discovery document."""
    try:
        document = kube_client.get_json(client, _group_path(api_version), timeout)
    except ApiException as err:
        if err.status == 404:
            raise KindNotServed("the cluster serves no {0}".format(api_version)) from None
        raise
    for resource in document.get("resources") or []:
        if resource.get("kind") == kind and "/" not in resource.get("name", "/"):
            return resource["name"], bool(resource.get("namespaced"))
    raise KindNotServed("the cluster serves no kind {0} in {1}".format(kind, api_version))


def read(client, query, timeout=10):
    """{"read": True, "resources": [objects]} of `query` (the module's params), or unread(why)."""
    built_in = (query["api_version"], query["kind"]) in BUILT_IN
    try:
        try:
            return _read(client, query, timeout)
        except ApiException as err:
            if built_in and err.status == 404:  # an API server that does not serve the group: say which
                resource_of(client, query["api_version"], query["kind"], timeout)
            raise
    except KindNotServed as err:
        return unread(str(err))
    except ApiException as err:
        return unread("the API server answered {0} {1}".format(err.status, err.reason))
    except Exception as err:  # pylint: disable=broad-exception-caught  # urllib3's hierarchy: not reachable
        return unread("cannot reach {0}: {1}".format(client.configuration.host, connection_error_reason(err)))


def _names_object(err):
    """Whether a 404 is about a missing object (its details name it), not about a resource the server lacks."""
    try:
        return bool((json.loads(err.body).get("details") or {}).get("name"))
    except (TypeError, ValueError, AttributeError):
        return False


def _read(client, query, timeout):
    plural, namespaced = BUILT_IN.get((query["api_version"], query["kind"])) or resource_of(
        client, query["api_version"], query["kind"], timeout)
    path = _group_path(query["api_version"])
    if namespaced and query.get("namespace"):
        path += "/namespaces/" + quote(query["namespace"], safe="")
    path += "/" + plural
    if query.get("name"):
        try:
            return {"read": True, "resources": [kube_client.get_json(client, path + "/" + quote(query["name"], safe=""),
                                                                     timeout)], "msg": ""}
        except ApiException as err:
            if err.status == 404 and ((query["api_version"], query["kind"]) not in BUILT_IN or _names_object(err)):
                return {"read": True, "resources": [], "msg": ""}
            raise
    selectors = {"labelSelector": ",".join(query.get("label_selectors") or []),
                 "fieldSelector": ",".join(query.get("field_selectors") or [])}
    answer = kube_client.get_json(client, path, timeout, {k: v for k, v in selectors.items() if v})
    kind = query["kind"]
    items = [dict(item, apiVersion=query["api_version"], kind=kind) for item in answer.get("items") or []]
    return {"read": True, "resources": items, "msg": ""}


def read_all(connections, query, timeout=10, concurrency=20):
    """{name: read()} of every cluster of {name: connection}, at most `concurrency` at a time."""
    return fanout.read_each(connections, lambda client: read(client, query, timeout), unread, concurrency)
