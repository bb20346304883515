# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of karmada_member (module_utils/karmada/member.OPTIONS), beside the auth options and
`control_plane`. (ansible-test reads fragments as string literals, so it is written out.)
"""


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    DOCUMENTATION = r"""
options:
  name:
    description:
      - The member's name in Karmada (the C(Cluster) object), usually C(inventory_hostname).
      - Required, except with O(members), where it defaults to each member's host name.
    type: str
  api_endpoint:
    description: The API URL Karmada uses for the member. Defaults to the URL the connection options reach.
    type: str
  labels:
    description: Labels of the C(Cluster) object. Labels this module set before and no longer listed are removed.
    type: dict
    default: {}
  provider:
    description: The member's provider, for spread constraints.
    type: str
  region:
    description: The member's region, for spread constraints and C(fieldSelector) placement.
    type: str
  zones:
    description: The member's zones.
    type: list
    elements: str
  cluster_namespace:
    description: Namespace that holds the credentials on the control plane and the ServiceAccounts on the member.
    type: str
    default: karmada-cluster
  impersonator:
    description: Create the impersonator ServiceAccount and Secret (used by Karmada's cluster proxy), as karmadactl does.
    type: bool
    default: true
  rotate:
    description:
      - Issue new member tokens now (Push mode) - new token Secrets on the member, the control plane's Secrets
        switched to them, and only then the previous token Secrets deleted, which revokes the old tokens.
      - A change every time it runs; after any successful run only the token Secrets in use remain.
    type: bool
    default: false
  allow_insecure:
    description:
      - Join a member whose connection does not verify TLS; Karmada then reaches it with
        C(insecureSkipTLSVerification). Without it such a member is refused.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the member's tokens, and for Karmada to finish removing the C(Cluster) on unjoin.
    type: int
    default: 60
  wait_ready:
    description:
      - After a join, wait until Karmada reports the C(Cluster) Ready (its cluster-status controller reaches the
        member; in Pull mode, once karmada-agent has created it), as the role's C(karmada_member_wait_ready)
        does. Not in check mode.
      - A member Karmada does not report Ready within O(ready_timeout) fails, with the C(Ready) condition's
        reason and message.
    type: bool
    default: false
  ready_timeout:
    description: Seconds to wait for O(wait_ready).
    type: int
    default: 120
  sync_mode:
    description:
      - C(Push), Karmada reaches the member with the member's token; C(Pull), karmada-agent on the member reaches
        Karmada. A member is unjoined before it can change mode.
    type: str
    choices: [Push, Pull]
    default: Push
  agent_image:
    description: Image of karmada-agent, in Pull mode.
    type: str
    default: docker.io/karmada/karmada-agent:v1.18.2
  control_plane_endpoint:
    description:
      - In Pull mode, the URL the agent on the member reaches Karmada's API server at. Defaults to the URL of
        O(control_plane).
    type: str
  state:
    description:
      - C(present) joins or updates the member; C(absent) unjoins it and cleans both sides, whichever mode it was
        joined in.
    type: str
    choices: [present, absent]
    default: present
"""
