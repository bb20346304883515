"""probe() turns API answers and connection failures into one status dict; statuses_of() probes many at once."""

import json
import threading
import time
from types import SimpleNamespace

import urllib3
from kubernetes.client.exceptions import ApiException

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import cluster_status, fanout


def node(ready):
    return {"status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


class FakeApi:
    """Stands in for kubernetes.client.ApiClient: answers call_api by path, raw, as _preload_content=False does."""

    def __init__(self, version_error=None, readyz_error=None, nodes=(), delay=0):
        self.configuration = SimpleNamespace(host="https://10.0.0.1:6443")
        self.rest_client = SimpleNamespace(request=None)  # kube_client.bounded wraps it
        self.version_error, self.readyz_error, self.nodes, self.delay = version_error, readyz_error, nodes, delay
        self.closed = False

    def call_api(self, path, method, **kwargs):
        assert method == "GET" and kwargs["_preload_content"] is False
        time.sleep(self.delay)
        errors = {"/version": self.version_error, "/readyz": self.readyz_error}
        if errors.get(path):
            raise errors[path]
        answers = {"/version": {"gitVersion": "v1.36.3", "major": "1", "minor": "36", "platform": "linux/amd64"},
                   "/readyz": "ok", "/api/v1/nodes": {"items": list(self.nodes)},
                   "/api/v1/namespaces/kube-system": {"metadata": {"uid": "uid-of-kube-system"}}}
        return SimpleNamespace(data=json.dumps(answers[path]).encode())

    def close(self):
        self.closed = True


def test_healthy_cluster():
    status = cluster_status.probe(FakeApi(nodes=[node(True), node(True), node(False)]))
    assert status["reachable"] and status["ready"]
    assert status["version"] == {"git_version": "v1.36.3", "major": "1", "minor": "36", "platform": "linux/amd64"}
    assert status["nodes"] == {"total": 3, "ready": 2}
    assert status["cluster_id"] == "uid-of-kube-system"
    assert status["msg"] == ""


def test_unreachable_cluster_is_data_not_an_exception():
    refused = urllib3.exceptions.MaxRetryError(None, "/version", reason=ConnectionRefusedError("Connection refused"))
    status = cluster_status.probe(FakeApi(version_error=refused))
    assert status["reachable"] is False and status["ready"] is False
    assert status["msg"] == "cannot reach https://10.0.0.1:6443: Connection refused"


def test_unauthorized_is_reported_with_the_status_code():
    status = cluster_status.probe(FakeApi(version_error=ApiException(status=401, reason="Unauthorized")))
    assert status["reachable"] is False
    assert "401 Unauthorized" in status["msg"]


def test_not_ready_names_the_failing_checks():
    body = "[+]ping ok\n[-]etcd failed: reason withheld\n[+]log ok\n[-]poststarthook/rbac failed\nreadyz check failed"
    err = ApiException(status=500, reason="Internal Server Error")
    err.body = body
    status = cluster_status.probe(FakeApi(readyz_error=err, nodes=[node(True)]))
    assert status["reachable"] is True and status["ready"] is False
    assert status["failed_checks"] == ["etcd", "poststarthook/rbac"]


def test_many_clusters_each_get_their_own_status_and_a_bad_connection_fails_alone(monkeypatch):
    refused = urllib3.exceptions.MaxRetryError(None, "/version", reason=ConnectionRefusedError("Connection refused"))
    apis = {"up": FakeApi(nodes=[node(True)]), "down": FakeApi(version_error=refused)}
    built = []

    def for_connection(connection):
        if connection == "broken":
            raise fanout.kube_client.ConnectionOptionsError("kubeconfig (a dict): no context")
        built.append(connection)
        return apis[connection]

    monkeypatch.setattr(fanout.kube_client, "for_connection", for_connection)
    statuses = cluster_status.statuses_of({"a": "up", "b": "down", "c": "broken"}, timeout=3)
    assert statuses["a"]["ready"] and statuses["a"]["nodes"] == {"total": 1, "ready": 1}
    assert not statuses["b"]["reachable"] and "Connection refused" in statuses["b"]["msg"]
    assert not statuses["c"]["reachable"] and "no context" in statuses["c"]["msg"]
    assert apis["up"].closed and apis["down"].closed


def test_at_most_concurrency_clusters_are_probed_at_once(monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()

    class Counting(FakeApi):
        def call_api(self, path, method, **kwargs):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            try:
                return super().call_api(path, method, **kwargs)
            finally:
                with lock:
                    running[0] -= 1

    monkeypatch.setattr(fanout.kube_client, "for_connection", lambda _c: Counting(delay=0.01))
    statuses = cluster_status.statuses_of({str(n): {} for n in range(12)}, concurrency=3)
    assert len(statuses) == 12 and all(s["reachable"] for s in statuses.values())
    assert 1 < peak[0] <= 3
