# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The option that reaches a module's second cluster (an Argo CD hub, a Karmada control plane).

Its suboptions are kubernetes.core's auth options (module_utils/client.SECOND_CLUSTER_AUTH_SPEC), under the
option name each module uses. (ansible-test reads fragments as string literals, so each is written out.)
"""


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    HUB = r"""
options:
  hub:
    description:
      - "How to reach the hub, a connection of kubernetes.core's auth options, for example C(hostvars['hub'].hubspoke_connection)."
      - Only what is stated is used. With no option at all, the hub is read from the E(HUBSPOKE_HUB_HOST),
        E(HUBSPOKE_HUB_API_KEY), E(HUBSPOKE_HUB_CA_CERT) and E(HUBSPOKE_HUB_VERIFY_SSL) variables (the
        collection's AWX credential type); the E(K8S_AUTH_*) variables are the module's own cluster's.
      - Required, except with O(spokes), where it is the hub of each spoke whose entry names none.
    type: dict
    suboptions:
      kubeconfig:
        description: Path of a kubeconfig, or a kubeconfig as a dict.
        type: raw
      context:
        description: The kubeconfig context of the hub.
        type: str
      host:
        description: URL of the hub's API server.
        type: str
      api_key:
        description: Bearer token for the hub.
        type: str
      ca_cert:
        description: CA bundle to verify the hub's API server.
        type: path
      client_cert:
        description: Client certificate for the hub.
        type: path
      client_key:
        description: Client key for the hub.
        type: path
      validate_certs:
        description: Verify the hub's TLS certificate.
        type: bool
      proxy:
        description: HTTP proxy URL for the hub.
        type: str
"""

    CONTROL_PLANE = r"""
options:
  control_plane:
    description:
      - How to reach the Karmada API server, with kubernetes.core's auth options.
      - "For example C(hostvars['hub'].karmada_control_plane_api), which the karmada_control_plane role sets."
      - Only what is stated is used. With no option at all, it is read from the E(HUBSPOKE_HUB_*) variables;
        the E(K8S_AUTH_*) variables are the module's own cluster's.
      - Required, except with O(members), where it is the control plane of each member whose entry names none.
    type: dict
    suboptions:
      kubeconfig:
        description: Path of a kubeconfig, or a kubeconfig as a dict.
        type: raw
      context:
        description: The kubeconfig context of the Karmada API server.
        type: str
      host:
        description: URL of the Karmada API server's API server.
        type: str
      api_key:
        description: Bearer token for the Karmada API server.
        type: str
      ca_cert:
        description: CA bundle to verify the Karmada API server's API server.
        type: path
      client_cert:
        description: Client certificate for the Karmada API server.
        type: path
      client_key:
        description: Client key for the Karmada API server.
        type: path
      validate_certs:
        description: Verify the Karmada API server's TLS certificate.
        type: bool
      proxy:
        description: HTTP proxy URL for the Karmada API server.
        type: str
"""
