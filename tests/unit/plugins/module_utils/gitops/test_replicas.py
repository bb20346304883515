"""Replica edits change only the value's characters: comments, quotes and order stay."""

import pytest

from ansible_collections.hubspoke.multicluster.plugins.module_utils.gitops.replicas import (
    ManifestError,
    set_replicas,
)

DEPLOYMENTS = """\
# standby overlay: keep at 0 until a failover
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the storefront
spec:
  replicas: 0 # scaled by failover.yml
  selector: {matchLabels: {app: web}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {replicas: 1, serviceName: db}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
"""

KUSTOMIZATION = """\
resources: [../../base]
replicas:
  - name: web
    count: 0
  - name: worker
    count: 2
"""


def test_only_the_value_changes():
    after, previous = set_replicas(DEPLOYMENTS, ["web"], 3)
    assert previous == {"web": 0}
    assert after == DEPLOYMENTS.replace("replicas: 0 #", "replicas: 3 #")


def test_flow_style_and_several_documents():
    after, previous = set_replicas(DEPLOYMENTS, ["web", "db"], 12)
    assert previous == {"web": 0, "db": 1}
    assert "spec: {replicas: 12, serviceName: db}" in after and "replicas: 12 #" in after


def test_kustomization_replicas_entry():
    after, previous = set_replicas(KUSTOMIZATION, ["web"], 3, kustomization=True)
    assert previous == {"web": 0}
    assert after == KUSTOMIZATION.replace("count: 0", "count: 3")


def test_same_count_is_no_change():
    after, previous = set_replicas(DEPLOYMENTS, ["web"], 0)
    assert after == DEPLOYMENTS and previous == {"web": 0}


def test_names_not_present_are_not_found():
    assert set_replicas(DEPLOYMENTS, ["api"], 3) == (DEPLOYMENTS, {})


def test_workload_without_replicas_is_refused():
    text = "kind: Deployment\nmetadata: {name: web}\nspec: {}\n"
    with pytest.raises(ManifestError, match="overlay.yaml: web cannot be scaled: it has no spec.replicas"):
        set_replicas(text, ["web"], 3, "overlay.yaml")


def test_bad_yaml_names_the_file():
    with pytest.raises(ManifestError, match="broken.yaml: not valid YAML"):
        set_replicas("kind: [Deployment\n", ["web"], 3, "broken.yaml")
