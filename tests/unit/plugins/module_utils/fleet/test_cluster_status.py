"""probe() turns API answers and connection failures into one status dict."""

from types import SimpleNamespace

import pytest
import urllib3
from kubernetes.client.exceptions import ApiException

from ansible_collections.hubspoke.multicluster.plugins.module_utils.fleet import cluster_status


def node(ready):
    cond = SimpleNamespace(type="Ready", status="True" if ready else "False")
    return SimpleNamespace(status=SimpleNamespace(conditions=[cond]))


class FakeApi:
    """Stands in for kubernetes.client.ApiClient; VersionApi/CoreV1Api are patched to read from it."""

    def __init__(self, version=None, version_error=None, readyz_error=None, nodes=()):
        self.configuration = SimpleNamespace(host="https://10.0.0.1:6443")
        self.version, self.version_error, self.readyz_error, self.nodes = version, version_error, readyz_error, nodes

    def call_api(self, path, method, **_kwargs):
        assert (path, method) == ("/readyz", "GET")
        if self.readyz_error:
            raise self.readyz_error


@pytest.fixture(name="patch_apis")
def fixture_patch_apis(monkeypatch):
    def get_code(self, **_kwargs):
        if self.api.version_error:
            raise self.api.version_error
        return SimpleNamespace(git_version="v1.36.3", major="1", minor="36", platform="linux/amd64")

    def list_node(self, **_kwargs):
        return SimpleNamespace(items=list(self.api.nodes))

    def read_namespace(self, name, **_kwargs):
        return SimpleNamespace(metadata=SimpleNamespace(uid="uid-of-" + name))

    monkeypatch.setattr(cluster_status, "VersionApi",
                        type("V", (), {"__init__": lambda s, api: setattr(s, "api", api), "get_code": get_code}))
    monkeypatch.setattr(cluster_status, "CoreV1Api",
                        type("C", (), {"__init__": lambda s, api: setattr(s, "api", api), "list_node": list_node,
                                       "read_namespace": read_namespace}))


def test_healthy_cluster(patch_apis):
    status = cluster_status.probe(FakeApi(nodes=[node(True), node(True), node(False)]))
    assert status["reachable"] and status["ready"]
    assert status["version"]["git_version"] == "v1.36.3"
    assert status["nodes"] == {"total": 3, "ready": 2}
    assert status["cluster_id"] == "uid-of-kube-system"
    assert status["msg"] == ""


def test_unreachable_cluster_is_data_not_an_exception(patch_apis):
    refused = urllib3.exceptions.MaxRetryError(None, "/version", reason=ConnectionRefusedError("Connection refused"))
    status = cluster_status.probe(FakeApi(version_error=refused))
    assert status["reachable"] is False and status["ready"] is False
    assert status["msg"] == "cannot reach https://10.0.0.1:6443: Connection refused"


def test_unauthorized_is_reported_with_the_status_code(patch_apis):
    status = cluster_status.probe(FakeApi(version_error=ApiException(status=401, reason="Unauthorized")))
    assert status["reachable"] is False
    assert "401 Unauthorized" in status["msg"]


def test_not_ready_names_the_failing_checks(patch_apis):
    body = "[+]ping ok\n[-]etcd failed: reason withheld\n[+]log ok\n[-]poststarthook/rbac failed\nreadyz check failed"
    err = ApiException(status=500, reason="Internal Server Error")
    err.body = body
    status = cluster_status.probe(FakeApi(readyz_error=err, nodes=[node(True)]))
    assert status["reachable"] is True and status["ready"] is False
    assert status["failed_checks"] == ["etcd", "poststarthook/rbac"]
