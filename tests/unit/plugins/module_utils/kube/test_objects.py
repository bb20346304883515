"""applied.holds and objects.as_stored: when an object already is as a patch would make it, so a run that changes nothing writes nothing."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.applied import holds
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube.objects import as_stored

EXISTING = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": "s", "namespace": "argocd", "resourceVersion": "7", "uid": "u",
                         "labels": {"env": "prod", "argocd.argoproj.io/secret-type": "cluster"}},
            "data": {"name": "cHJvZA==", "server": "aHR0cHM6Ly9h"}}


@pytest.mark.parametrize("desired", [
    {"kind": "Secret", "metadata": {"name": "s"}},
    {"metadata": {"labels": {"env": "prod", "gone": None}}, "data": {"name": "cHJvZA=="}},
    {"subjects": None},
])
def test_holds_what_a_patch_would_not_change(desired):
    assert holds(EXISTING, desired)


@pytest.mark.parametrize("desired", [
    {"metadata": {"labels": {"env": "staging"}}},
    {"metadata": {"labels": {"env": None}}},
    {"data": {"shard": "MQ=="}},
    {"type": "kubernetes.io/service-account-token"},
    {"metadata": "s"},
])
def test_a_field_to_set_or_remove_is_a_change(desired):
    assert not holds(EXISTING, desired)


def test_lists_are_compared_item_by_item():
    role = {"rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]}
    assert holds(role, {"rules": [{"apiGroups": ["*"], "verbs": ["*"]}, {"verbs": ["*"]}]})
    assert not holds(role, {"rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    assert not holds(role, {"rules": [{"verbs": ["get"]}, {"verbs": ["*"]}]})


def test_a_secrets_string_data_is_compared_as_the_server_stores_it():
    desired = {"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"name": "prod"}}
    assert holds(EXISTING, as_stored(desired))
    assert not holds(EXISTING, as_stored(dict(desired, stringData={"name": "staging"})))
    assert as_stored({"kind": "ConfigMap", "stringData": {"a": "b"}}) == {"kind": "ConfigMap", "stringData": {"a": "b"}}
