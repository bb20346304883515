# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Join many members in one module run: karmada_member with `members`, run once for a play.

Each member's join is karmada/member.py's, with its own options, in a thread
(module_utils/fleet/two_cluster_fleet.py); one client per Karmada API server, whose kinds are discovered once
before the threads share it.
"""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.two_cluster_fleet import (
    CONCURRENCY,
    FleetWork,
    host_spec,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada import agent as karmada_agent
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.member import (
    OPTIONS,
    join,
    unjoin_unreachable,
)
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.names import CLUSTER_API

# The module's options for a join of many members, beside OPTIONS.
FLEET_OPTIONS = dict(members=dict(type="dict"), concurrency=CONCURRENCY)


class Joins(FleetWork):
    hosts_option = "members"
    second = "control_plane"
    sides = ("member", "Karmada control plane")
    spec = host_spec(OPTIONS, "control_plane")

    def prepare(self, svc, options):
        # The Cluster API may be missing (join() refuses that, naming the member); the rest is core and RBAC.
        svc.find_resource("Cluster", CLUSTER_API, fail=False)
        for obj in karmada_agent.control_plane_objects(options) + [{"apiVersion": "v1", "kind": "Secret"}]:
            svc.find_resource(obj["kind"], obj["apiVersion"], fail=True)

    def work(self, module, own, other, view):
        return join(module, own, other)

    def unreachable(self, module, other, err):
        return unjoin_unreachable(module, other, err)
