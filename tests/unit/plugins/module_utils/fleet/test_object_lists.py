"""fleet_info's read: the kind's resource from its group version's discovery, then one list (fake API)."""

import json

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet.object_lists import read

APPS = {"resources": [{"name": "deployments", "kind": "Deployment", "namespaced": True},
                      {"name": "deployments/status", "kind": "Deployment", "namespaced": True}]}


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
        return Response(self.answers[path])


def test_a_namespaced_list_with_selectors_is_two_requests():
    client = FakeClient({"/apis/apps/v1": APPS, "/apis/apps/v1/namespaces/guestbook/deployments": {
        "items": [{"metadata": {"name": "web", "namespace": "guestbook"}}]}})
    found = read(client, {"api_version": "apps/v1", "kind": "Deployment", "namespace": "guestbook",
                          "label_selectors": ["app=web", "tier"], "field_selectors": []})
    assert found == {"read": True, "msg": "", "resources": [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "guestbook"}}]}
    assert client.asked == [("GET", "/apis/apps/v1", {}),
                            ("GET", "/apis/apps/v1/namespaces/guestbook/deployments", {"labelSelector": "app=web,tier"})]


def test_a_cluster_scoped_kind_ignores_the_namespace():
    client = FakeClient({"/api/v1": {"resources": [{"name": "nodes", "kind": "Node", "namespaced": False}]},
                         "/api/v1/nodes": {"items": []}})
    assert read(client, {"api_version": "v1", "kind": "Node", "namespace": "x"})["read"]
    assert client.asked[-1][1] == "/api/v1/nodes"


def test_a_kind_the_group_does_not_serve_is_data():
    found = read(FakeClient({"/apis/apps/v1": APPS}), {"api_version": "apps/v1", "kind": "Widget"})
    assert found == {"read": False, "resources": [], "msg": "the cluster serves no kind Widget in apps/v1"}
