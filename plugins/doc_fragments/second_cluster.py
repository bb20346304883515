# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The option that reaches a module's second cluster (an Argo CD hub, a Karmada control plane).

Its suboptions are kubernetes.core's auth options (module_utils/client.SECOND_CLUSTER_AUTH_SPEC); one text
serves every module, under the option name each module uses.
"""

_SECOND_CLUSTER = r"""
options:
  {option}:
    description:
      - "How to reach the {what}, with kubernetes.core's auth options, for example C({example})."
      - Options left out fall back to the E(K8S_AUTH_*) environment variables.
    type: dict
    required: true
    suboptions:
      kubeconfig:
        description: Path of a kubeconfig, or a kubeconfig as a dict.
        type: raw
      context:
        description: The kubeconfig context of the {what}.
        type: str
      host:
        description: URL of the {what}'s API server.
        type: str
      api_key:
        description: Bearer token for the {what}.
        type: str
      ca_cert:
        description: CA bundle to verify the {what}'s API server.
        type: path
      client_cert:
        description: Client certificate for the {what}.
        type: path
      client_key:
        description: Client key for the {what}.
        type: path
      validate_certs:
        description: Verify the {what}'s TLS certificate.
        type: bool
"""


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    HUB = _SECOND_CLUSTER.format(
        option="hub", what="hub", example="{kubeconfig: hostvars['hub'].hubspoke_kubeconfig, context: hub}")
    CONTROL_PLANE = _SECOND_CLUSTER.format(
        option="control_plane", what="Karmada API server",
        example="{kubeconfig: hostvars['hub'].hubspoke_karmada_kubeconfig}")
    DOCUMENTATION = HUB
