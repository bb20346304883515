"""What karmada_member writes, object by object, compared with karmadactl join (API round trips: integration)."""

from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada import agent as karmada_agent
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.objects import public_view
from ansible_collections.hubspoke.multicluster.plugins.module_utils.karmada.member import (
    LABELS_ANNOTATION,
    cluster_object,
    control_plane_secrets,
    member_objects,
    member_token_secrets,
)

PARAMS = {"name": "spoke-1", "cluster_namespace": "karmada-cluster", "impersonator": True,
          "labels": {"environment": "production"}, "provider": None, "region": "cn-hangzhou", "zones": None}


def test_member_objects_are_karmadactls():
    objs = {(o["kind"], o["metadata"]["name"]): o for o in member_objects(PARAMS)}
    assert set(objs) == {("Namespace", "karmada-cluster"), ("ServiceAccount", "karmada-impersonator"),
                         ("ServiceAccount", "karmada-spoke-1"),
                         ("ClusterRole", "karmada-controller-manager:karmada-spoke-1"),
                         ("ClusterRoleBinding", "karmada-controller-manager:karmada-spoke-1")}
    # karmadactl's label, and ours when the join creates the namespace: unjoin deletes only a namespace it made.
    assert objs[("Namespace", "karmada-cluster")]["metadata"]["labels"] == {
        "karmada.io/system": "true", "app.kubernetes.io/managed-by": "hubspoke.multicluster"}
    assert member_objects(PARAMS, owned=False)[0]["metadata"]["labels"] == {"karmada.io/system": "true"}
    role = objs[("ClusterRole", "karmada-controller-manager:karmada-spoke-1")]
    assert role["rules"] == [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                             {"nonResourceURLs": ["*"], "verbs": ["get"]}]
    tokens = member_token_secrets(PARAMS)
    assert [t["metadata"]["name"] for t in tokens] == ["karmada-impersonator", "karmada-spoke-1"]
    assert all(t["type"] == "kubernetes.io/service-account-token" for t in tokens)


def test_without_impersonator():
    params = dict(PARAMS, impersonator=False)
    assert "karmada-impersonator" not in {o["metadata"]["name"] for o in member_objects(params)}
    cluster = cluster_object(params, "https://m:6443", "uid", False)
    assert "impersonatorSecretRef" not in cluster["spec"]
    assert len(control_plane_secrets(params, {"token": "t", "ca.crt": "ca"}, None)) == 1


def test_cluster_object_push_mode_with_labels_and_region():
    cluster = cluster_object(PARAMS, "https://m:6443", "uid-1", False)
    assert cluster["spec"] == {
        "syncMode": "Push", "apiEndpoint": "https://m:6443", "id": "uid-1",
        "secretRef": {"namespace": "karmada-cluster", "name": "spoke-1"},
        "impersonatorSecretRef": {"namespace": "karmada-cluster", "name": "spoke-1-impersonator"},
        "insecureSkipTLSVerification": False, "region": "cn-hangzhou"}
    assert cluster["metadata"]["labels"] == {"environment": "production"}
    assert cluster["metadata"]["annotations"] == {LABELS_ANNOTATION: "environment"}


def test_labels_we_set_and_the_inventory_dropped_are_removed_others_kept():
    existing = {"metadata": {"annotations": {LABELS_ANNOTATION: "environment,tier"},
                             "labels": {"environment": "staging", "tier": "gold", "set-by-someone": "x"}}}
    cluster = cluster_object(PARAMS, "https://m:6443", "uid-1", False, existing)
    assert cluster["metadata"]["labels"] == {"environment": "production", "tier": None}


def test_control_plane_secrets_owned_by_the_cluster_and_hidden_in_results():
    secrets = control_plane_secrets(PARAMS, {"token": "tok", "ca.crt": "PEM"}, "imp",
                                    {"name": "spoke-1", "uid": "u-1"})
    assert [s["metadata"]["name"] for s in secrets] == ["spoke-1", "spoke-1-impersonator"]
    assert secrets[0]["stringData"] == {"caBundle": "PEM", "token": "tok"}
    assert secrets[0]["metadata"]["ownerReferences"][0] == {
        "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster", "name": "spoke-1", "uid": "u-1",
        "controller": True, "blockOwnerDeletion": True}
    result = public_view({"result": {"data": {"token": "dG9r"}}, "diff": {"after": {"data": {"token": "dG9r"}}}})
    assert "dG9r" not in repr(result)


def test_pull_mode_objects_are_karmadactl_registers_bound_to_a_service_account():
    params = dict(PARAMS, agent_image="karmada-agent:v1.18.2", zones=["a", "b"])
    plane = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o
             for o in karmada_agent.control_plane_objects(params)}
    assert ("Role", "karmada-es-spoke-1", "system:karmada:spoke-1:agent-work") in plane
    assert ("Role", "karmada-cluster", "system:karmada:spoke-1:agent-secret") in plane
    binding = plane[("ClusterRoleBinding", None, "system:karmada:spoke-1:agent")]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "karmada-agent-spoke-1",
                                    "namespace": "karmada-cluster"}]
    own = plane[("ClusterRole", None, "system:karmada:spoke-1:agent")]["rules"][0]
    assert own["resourceNames"] == ["spoke-1"] and own["verbs"] == ["get", "delete"]
    member = karmada_agent.member_objects(params, "https://m:6443", "kubeconfig")
    deployment = member[-1]
    command = deployment["spec"]["template"]["spec"]["containers"][0]["command"]
    assert "--cluster-name=spoke-1" in command and "--cluster-zones=a,b" in command
    assert "--cluster-api-endpoint=https://m:6443" in command
    assert member[1]["stringData"] == {"karmada-kubeconfig": "kubeconfig"}
    assert all(o["kind"] != "Secret" for o in karmada_agent.member_objects(params, "https://m:6443"))
