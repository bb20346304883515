"""fleet_info's read: the kind's resource from its group version's discovery (none for a built-in kind), then one
list (fake API)."""

import json

from kubernetes.client.exceptions import ApiException

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.object_lists import read

ARGO = {"resources": [{"name": "applications", "kind": "Application", "namespaced": True},
                      {"name": "applications/status", "kind": "Application", "namespaced": True}]}
APPS = {"resources": [{"name": "deployments", "kind": "Deployment", "namespaced": True}]}
# What kube-apiserver answers for a path it serves nothing at, and for an object that does not exist.
NO_RESOURCE = {"kind": "Status", "reason": "NotFound", "details": {}, "code": 404}
NO_OBJECT = {"kind": "Status", "reason": "NotFound", "details": {"name": "web", "kind": "deployments"}, "code": 404}


class Response:
    def __init__(self, document):
        self.data = json.dumps(document).encode()


class FakeClient:
    """Answers GET paths from a dict and records what was asked."""

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    def call_api(self, path, method, query_params=None, **_kwargs):
        self.asked.append((method, path, dict(query_params or [])))
        answer = self.answers.get(path, NO_RESOURCE)
        if answer.get("kind") == "Status":
            err = ApiException(status=404, reason="Not Found")
            err.body = json.dumps(answer)
            raise err
        return Response(answer)


def test_a_namespaced_list_with_selectors_is_two_requests():
    client = FakeClient({"/apis/argoproj.io/v1alpha1": ARGO, "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications": {
        "items": [{"metadata": {"name": "web", "namespace": "argocd"}}]}})
    found = read(client, {"api_version": "argoproj.io/v1alpha1", "kind": "Application", "namespace": "argocd",
                          "label_selectors": ["app=web", "tier"], "field_selectors": []})
    assert found == {"read": True, "msg": "", "resources": [
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "web", "namespace": "argocd"}}]}
    assert client.asked == [("GET", "/apis/argoproj.io/v1alpha1", {}),
                            ("GET", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications",
                             {"labelSelector": "app=web,tier"})]


def test_a_built_in_kind_is_one_request():
    client = FakeClient({"/apis/apps/v1/namespaces/guestbook/deployments": {"items": []}})
    assert read(client, {"api_version": "apps/v1", "kind": "Deployment", "namespace": "guestbook"})["read"]
    assert client.asked == [("GET", "/apis/apps/v1/namespaces/guestbook/deployments", {})]


def test_a_cluster_scoped_kind_ignores_the_namespace():
    client = FakeClient({"/api/v1/nodes": {"items": []}})
    assert read(client, {"api_version": "v1", "kind": "Node", "namespace": "x"})["read"]
    assert client.asked[-1][1] == "/api/v1/nodes"


def test_a_kind_the_group_does_not_serve_is_data():
    found = read(FakeClient({"/apis/apps/v1": APPS}), {"api_version": "apps/v1", "kind": "Widget"})
    assert found == {"read": False, "resources": [], "msg": "the cluster serves no kind Widget in apps/v1"}


def test_a_built_in_group_the_cluster_does_not_serve_is_named():
    found = read(FakeClient({}), {"api_version": "batch/v1", "kind": "CronJob"})
    assert found == {"read": False, "resources": [], "msg": "the cluster serves no batch/v1"}


def test_a_missing_object_of_a_built_in_kind_is_an_empty_read():
    client = FakeClient({"/apis/apps/v1/namespaces/guestbook/deployments/web": NO_OBJECT})
    found = read(client, {"api_version": "apps/v1", "kind": "Deployment", "namespace": "guestbook", "name": "web"})
    assert found == {"read": True, "resources": [], "msg": ""}
