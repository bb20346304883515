# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hubspoke.multicluster.argo_rollouts_manifest: upstream's install.yaml of Argo Rollouts, placed in a namespace and
pinned to an image.

Upstream's manifest is written for `kubectl apply -n argo-rollouts` (its namespaced objects name no namespace,
its Namespace is not in it) and runs the `latest` image, pulled on every start; its kustomization is the only
knob upstream offers. The role installs without kustomize, so the few settings it owns are written into the
documents here, where a test can read them.
"""

import copy

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: argo_rollouts_manifest
short_description: Put Argo Rollouts' upstream manifest in a namespace and pin its controller image
version_added: 0.1.0
author:
  - hubspoke developers (@hubspoke)
description:
  - Takes the documents of Argo Rollouts' C(manifests/install.yaml) and returns them ready to apply.
  - A Namespace document O(namespace) comes first; every namespaced object of the manifest (ServiceAccount,
    ConfigMap, Secret, Service, Deployment) gets that namespace, and the ClusterRoleBinding's ServiceAccount
    subjects name it too.
  - Documents without labels (the Namespace, the notification Secret, the CRDs) get upstream's
    C(app.kubernetes.io/part-of=argo-rollouts), so that each apply owns a field of them and a second apply changes
    nothing.
  - The C(argo-rollouts) container of the controller Deployment runs O(image) with C(imagePullPolicy=IfNotPresent)
    instead of upstream's C(latest), pulled always.
  - Nothing else changes (the CRDs' and ClusterRoles' contents are upstream's).
options:
  _input:
    description: The manifest's documents, as M(hubspoke.multicluster.manifest_changes) returns them.
    type: list
    elements: dict
    required: true
  namespace:
    description: Namespace of the controller and its objects.
    type: str
    default: argo-rollouts
  image:
    description: Controller image, with its tag (for example C(quay.io/argoproj/argo-rollouts:v1.10.1)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Apply Argo Rollouts v1.10.1 in namespace rollouts
  kubernetes.core.k8s:
    definition: >-
      {{ manifest.definitions | hubspoke.multicluster.argo_rollouts_manifest(
           namespace='rollouts', image='quay.io/argoproj/argo-rollouts:v1.10.1') }}
    apply: true
    server_side_apply:
      field_manager: hubspoke-argo-rollouts
"""

RETURN = r"""
_value:
  description: The documents, ready for M(kubernetes.core.k8s), the Namespace first.
  type: list
  elements: dict
"""

# Upstream's label, on the documents that carry none (its notification Secret, the CRDs, the Namespace): a server-side apply
# of nothing but a name owns no field, and the API server then rewrites the object's managedFields on every apply.
PART_OF = {"app.kubernetes.io/part-of": "argo-rollouts"}
NAMESPACED = ("ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment", "Role", "RoleBinding")
CONTROLLER = "argo-rollouts"


def argo_rollouts_manifest(docs, image, namespace="argo-rollouts"):
    if not namespace or not isinstance(namespace, str):
        raise AnsibleFilterError("argo_rollouts_manifest needs a namespace, got {0!r}".format(namespace))
    if not isinstance(image, str) or not (":" in image.rsplit("/", 1)[-1] or "@" in image):
        raise AnsibleFilterError("argo_rollouts_manifest needs an image with its tag or digest, got {0!r}".format(image))
    out = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": dict(PART_OF)}}]
    for doc in docs:
        doc = copy.deepcopy(doc)
        kind = doc.get("kind")
        if kind == "Namespace":
            continue
        metadata = doc.setdefault("metadata", {})
        metadata.setdefault("labels", dict(PART_OF))
        if kind in NAMESPACED:
            metadata["namespace"] = namespace
        if kind == "ClusterRoleBinding":
            for subject in doc.get("subjects") or []:
                if subject.get("kind") == "ServiceAccount":
                    subject["namespace"] = namespace
        if kind == "Deployment":
            for container in doc["spec"]["template"]["spec"]["containers"]:
                if container.get("name") == CONTROLLER:
                    container.update(image=image, imagePullPolicy="IfNotPresent")
        out.append(doc)
    return out


class FilterModule:  # pylint: disable=too-few-public-methods
    def filters(self):
        return {"argo_rollouts_manifest": argo_rollouts_manifest}
