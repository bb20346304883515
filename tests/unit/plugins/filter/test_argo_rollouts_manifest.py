import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.argo_rollouts_manifest import argo_rollouts_manifest

# The shape of upstream's install.yaml (v1.10.1): namespaced objects without a namespace, the `latest` image.
MANIFEST = list(yaml.safe_load_all("""
kind: CustomResourceDefinition
metadata: {name: rollouts.argoproj.io}
---
kind: Secret
metadata: {name: argo-rollouts-notification-secret}
---
kind: ServiceAccount
metadata: {name: argo-rollouts}
---
kind: ClusterRoleBinding
metadata: {name: argo-rollouts}
subjects: [{kind: ServiceAccount, name: argo-rollouts, namespace: argo-rollouts}]
---
kind: Deployment
metadata: {name: argo-rollouts}
spec: {template: {spec: {containers: [{name: argo-rollouts, image: "quay.io/argoproj/argo-rollouts:latest",
                                       imagePullPolicy: Always}]}}}
"""))
IMAGE = "quay.io/argoproj/argo-rollouts:v1.10.1"


def test_objects_land_in_the_namespace_and_the_image_is_pinned():
    docs = argo_rollouts_manifest(MANIFEST, image=IMAGE, namespace="rollouts")
    part_of = {"app.kubernetes.io/part-of": "argo-rollouts"}
    assert docs[0] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "rollouts", "labels": part_of}}
    crd, secret, account, binding, deployment = docs[1:]
    assert secret["metadata"]["namespace"] == "rollouts"
    assert "namespace" not in crd["metadata"]
    assert all(doc["metadata"]["labels"] == part_of for doc in docs)  # none had labels: every apply owns a field
    assert account["metadata"]["namespace"] == "rollouts"
    assert binding["subjects"][0]["namespace"] == "rollouts" and "namespace" not in binding["metadata"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == IMAGE and container["imagePullPolicy"] == "IfNotPresent"
    assert MANIFEST[4]["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":latest")  # input untouched


@pytest.mark.parametrize("image", ["quay.io/argoproj/argo-rollouts", "", None, "registry:5000/argo-rollouts"])
def test_an_image_without_tag_is_refused(image):
    with pytest.raises(AnsibleFilterError, match="needs an image with its tag"):
        argo_rollouts_manifest(MANIFEST, image=image)


def test_a_digest_is_a_pin():
    pinned = "quay.io/argoproj/argo-rollouts@sha256:" + "0" * 64
    assert argo_rollouts_manifest(MANIFEST, image=pinned)[-1]["spec"]["template"]["spec"]["containers"][0]["image"] == pinned
