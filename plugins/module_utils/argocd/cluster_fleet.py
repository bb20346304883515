# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Register many spokes in one module run: argocd_cluster with `spokes`, run once for a play.

Each spoke's registration is argocd/cluster.py's, with its own options, in a thread
(module_utils/fleet/two_cluster_fleet.py). What every registration reads from a hub first (Argo CD's
namespace, its cluster Secrets) is read once per hub and Argo CD namespace.
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster import (
    OPTIONS,
    deregister_unreachable,
    hub_view,
    register,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import (
    CONCURRENCY,
    FleetWork,
    host_spec,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.lease import LEASE_API

# The module's options for a registration of many spokes, beside OPTIONS.
FLEET_OPTIONS = dict(spokes=dict(type="dict"), concurrency=CONCURRENCY)
REQUIRED_IF = [("rbac", "custom", ["rules"])]


class Registrations(FleetWork):
    hosts_option = "spokes"
    second = "hub"
    sides = ("spoke", "hub")
    spec = host_spec(OPTIONS, "hub")
    required_if = REQUIRED_IF

    def prepare(self, svc, options):
        svc.find_resource("Lease", LEASE_API, fail=True)
        return hub_view(svc, options["argocd_namespace"])

    def view_key(self, options):
        return options["argocd_namespace"]

    def work(self, module, own, other, view):
        return register(module, own, other, view)

    def unreachable(self, module, other, err):
        return deregister_unreachable(module, other, err)
