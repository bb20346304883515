# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cluster's pod and service ranges, read where the cluster records them, and the overlaps between clusters.

No maintained library reads them: Kubernetes keeps no single "cluster CIDR" field. In order of trust:
ranges the user states (inventory variables), kubeadm's ClusterConfiguration (kube-system/kubeadm-config,
networking.podSubnet and serviceSubnet), the ServiceCIDR objects of networking.k8s.io/v1 (Kubernetes 1.33+,
the service range the API server allocates from), and the nodes' spec.podCIDRs (what node IPAM handed out,
collapsed into the smallest list of networks that covers them).
Submariner needs distinct ranges on every cluster unless Globalnet is on: overlapping ranges break routing
and DNS between them, the most common multi-cluster networking failure.
"""

import ipaddress

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.errors import (
    ClusterError,
    connection_error_reason,
)

try:
    import yaml
except ImportError:  # handled by AnsibleK8SModule's requires("kubernetes"), which brings PyYAML
    pass

# The kubernetes client is imported where a cluster is read, not here: the cidr_overlaps filter imports this file
# in every worker process of a play, and Ansible imports every filter file of the collection there as soon as a
# task uses any of them, so an import here cost each host a third of a second in every task using one.

# The cluster_networks module's options (beside kubernetes.core's auth options).
OPTIONS = dict(pod_cidrs=dict(type="list", elements="str"), service_cidrs=dict(type="list", elements="str"))


def collapse(cidrs):
    """The smallest list of networks covering `cidrs` (node /24s become the cluster range they tile)."""
    by_version = {4: [], 6: []}
    for cidr in cidrs:
        net = ipaddress.ip_network(cidr, strict=False)
        by_version[net.version].append(net)
    return [str(n) for version in (4, 6) for n in ipaddress.collapse_addresses(by_version[version])]


def kubeadm_networks(configmap):
    """(pod, service) lists from kubeadm-config's ClusterConfiguration; empty lists when absent."""
    text = ((configmap or {}).get("data") or {}).get("ClusterConfiguration")
    if not text:
        return [], []
    networking = (yaml.safe_load(text) or {}).get("networking") or {}
    return _split(networking.get("podSubnet")), _split(networking.get("serviceSubnet"))


def _split(value):
    """kubeadm writes dual-stack ranges comma-separated."""
    return [cidr.strip() for cidr in (value or "").split(",") if cidr.strip()]


def overlaps(networks):
    """Every pair of clusters whose ranges overlap: [{clusters: [a, b], ranges: [ra, rb], kinds: [ka, kb]}].

    `networks` maps cluster name -> {pod_cidrs: [...], service_cidrs: [...]}; pod and service ranges of two
    clusters are all compared with each other (a pod range over another cluster's services breaks as surely).
    """
    found = []
    names = sorted(networks)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            for kind_a, range_a in _ranges(networks[first]):
                for kind_b, range_b in _ranges(networks[second]):
                    if range_a.version == range_b.version and range_a.overlaps(range_b):
                        found.append({"clusters": [first, second], "ranges": [str(range_a), str(range_b)],
                                      "kinds": [kind_a, kind_b]})
    return found


def _ranges(cluster):
    for kind in ("pod", "service"):
        for cidr in (cluster or {}).get(kind + "_cidrs") or []:
            yield kind, network(cidr, kind)


def network(cidr, kind="pod"):
    """ipaddress's network for a CIDR; a ClusterError naming it when it is not one."""
    try:
        return ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError as err:
        raise ClusterError("{0} range {1!r} is not a CIDR such as 10.42.0.0/16 or fd00:10::/56 ({2})".format(
            kind, cidr, err)) from None


def describe(overlap):
    a, b = overlap["clusters"]
    (ka, kb), (ra, rb) = overlap["kinds"], overlap["ranges"]
    return "{0} {1} range {2} overlaps {3} {4} range {5}".format(a, ka, ra, b, kb, rb)


def read_networks(core, custom, pod_cidrs=None, service_cidrs=None):
    """{pod_cidrs, service_cidrs, sources} of one cluster; `core` is a CoreV1Api, `custom` a CustomObjectsApi."""
    sources = {}
    for kind, cidrs in (("pod", pod_cidrs), ("service", service_cidrs)):
        for cidr in cidrs or []:
            network(cidr, kind)
    kubeadm_pod, kubeadm_service = kubeadm_networks(_kubeadm_config(core))
    if pod_cidrs:
        pods, sources["pod"] = list(pod_cidrs), "inventory"
    elif kubeadm_pod:
        pods, sources["pod"] = kubeadm_pod, "kubeadm-config"
    else:
        node_cidrs = [c for node in core.list_node().items for c in (node.spec.pod_cidrs or [])]
        pods, sources["pod"] = collapse(node_cidrs), "nodes" if node_cidrs else "unknown"
    if service_cidrs:
        services, sources["service"] = list(service_cidrs), "inventory"
    elif kubeadm_service:
        services, sources["service"] = kubeadm_service, "kubeadm-config"
    else:
        items = _not_found_is_empty(lambda: custom.list_cluster_custom_object(
            "networking.k8s.io", "v1", "servicecidrs").get("items", []), [])
        services = collapse([c for item in items for c in (item.get("spec") or {}).get("cidrs") or []])
        sources["service"] = "servicecidrs" if services else "unknown"
    return {"pod_cidrs": pods, "service_cidrs": services, "sources": sources}


def _kubeadm_config(core):
    return _not_found_is_empty(lambda: core.read_namespaced_config_map("kubeadm-config", "kube-system").to_dict(), None)


def _not_found_is_empty(read, empty):
    """A read that finds nothing (no kubeadm, a Kubernetes without ServiceCIDR objects) is `empty`, not an error."""
    from kubernetes.client.exceptions import ApiException  # pylint: disable=import-outside-toplevel

    try:
        return read()
    except ApiException as err:
        if err.status == 404:
            return empty
        raise


def networks_of(module, client):
    """The cluster_networks module's work: the ranges of the module's cluster, read with a plain ApiClient."""
    for kind in ("pod", "service"):
        for cidr in module.params[kind + "_cidrs"] or []:
            network(cidr, kind)
    from kubernetes.client import CoreV1Api, CustomObjectsApi  # pylint: disable=import-outside-toplevel

    try:
        networks = read_networks(CoreV1Api(client), CustomObjectsApi(client),
                                 module.params["pod_cidrs"], module.params["service_cidrs"])
    except Exception as err:  # pylint: disable=broad-exception-caught  # urllib3 and ApiException alike
        raise ClusterError("cannot read the networks of {0}: {1}".format(
            client.configuration.host, connection_error_reason(err))) from err
    return dict(networks, changed=False)
