# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names Karmada's join (member.py) and its agent (agent.py) share, as karmadactl uses them."""

# The label karmadactl puts on everything it creates for Karmada.
SYSTEM_LABELS = {"karmada.io/system": "true"}
CLUSTER_API = "cluster.karmada.io/v1alpha1"
RBAC = "rbac.authorization.k8s.io/v1"
