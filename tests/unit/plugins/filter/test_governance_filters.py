import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.hubspoke.multicluster.plugins.filter.gatekeeper_manifest import gatekeeper_manifest
from ansible_collections.hubspoke.multicluster.plugins.filter.gatekeeper_policies import gatekeeper_policies
from ansible_collections.hubspoke.multicluster.plugins.filter.gatekeeper_template_status import gatekeeper_template_status
from ansible_collections.hubspoke.multicluster.plugins.filter.leftover_objects import leftover_objects
from ansible_collections.hubspoke.multicluster.plugins.filter.namespace_quotas import namespace_quotas
from ansible_collections.hubspoke.multicluster.plugins.filter.objects_to_apply import objects_to_apply

TEMPLATE = {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate",
            "metadata": {"name": "k8sdisallowhostpath"},
            "spec": {"crd": {"spec": {"names": {"kind": "K8sDisallowHostPath"}}}, "targets": []}}
LIBRARY = {"k8sdisallowhostpath": {"template": TEMPLATE, "match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}}}
MANIFEST = yaml.safe_load_all("""
kind: Deployment
metadata: {name: gatekeeper-audit}
spec: {template: {spec: {containers: [{name: manager, args: [--operation=audit, --audit-interval=10]}]}}}
---
kind: Service
metadata: {name: gatekeeper-webhook-service, namespace: gatekeeper-system}
spec: {ports: [{name: https-webhook-server, port: 443, targetPort: webhook-server}], selector: {a: b}}
---
kind: ValidatingWebhookConfiguration
metadata: {name: gatekeeper-validating-webhook-configuration}
webhooks: [{name: v, clientConfig: {service: {name: gatekeeper-webhook-service, namespace: gatekeeper-system}}}]
""")
MANIFEST = list(MANIFEST)


def test_audit_arguments_replace_upstreams():
    docs = gatekeeper_manifest(MANIFEST, audit_interval=120)
    args = docs[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args == ["--operation=audit", "--audit-interval=120", "--constraint-violations-limit=20",
                    "--audit-match-kind-only=true"]
    assert docs[1] == MANIFEST[1]  # in-cluster webhook: the Service is upstream's
    assert MANIFEST[0]["spec"]["template"]["spec"]["containers"][0]["args"][1] == "--audit-interval=10"


def test_an_external_webhook_is_an_external_name_service_and_a_port():
    docs = gatekeeper_manifest(MANIFEST, webhook_external={"host": "localhost", "port": "22016"})
    assert docs[1]["spec"] == {"type": "ExternalName", "externalName": "localhost",
                               "ports": [{"name": "https-webhook-server", "port": 22016}]}
    assert docs[2]["webhooks"][0]["clientConfig"]["service"]["port"] == 22016
    with pytest.raises(AnsibleFilterError, match="needs a host and a port"):
        gatekeeper_manifest(MANIFEST, webhook_external={"host": "localhost"})


def test_policies_render_templates_and_constraints_with_labels():
    out = gatekeeper_policies([{"name": "no-host-path", "template": "k8sdisallowhostpath"},
                               {"name": "audit-only", "template": "k8sdisallowhostpath", "enforcement_action": "dryrun"}],
                              LIBRARY, enforcement_action="warn", labels={"owner": "gatekeeper"})
    assert [t["metadata"]["name"] for t in out["templates"]] == ["k8sdisallowhostpath"]
    assert out["templates"][0]["metadata"]["labels"] == {"owner": "gatekeeper"}
    first, second = out["constraints"]
    assert first["kind"] == "K8sDisallowHostPath" and first["spec"]["enforcementAction"] == "warn"
    assert first["spec"]["match"] == LIBRARY["k8sdisallowhostpath"]["match"]
    assert second["spec"]["enforcementAction"] == "dryrun"
    assert "labels" not in TEMPLATE["metadata"]  # the library is not modified


@pytest.mark.parametrize("policies, message", [
    ([{"name": "x", "template": "nope"}], "unknown template 'nope'; known: k8sdisallowhostpath"),
    ([{"name": "X_bad", "template": "k8sdisallowhostpath"}], "must be a DNS label"),
    ([{"name": "x", "template": "k8sdisallowhostpath", "enforcement_action": "block"}], "must be one of deny"),
    ([{"name": "x", "template": "k8sdisallowhostpath"}] * 2, "two policies of template"),
])
def test_bad_policies_fail_naming_the_policy(policies, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gatekeeper_policies(policies, LIBRARY)


def test_a_users_template_is_used_by_name():
    own = {**TEMPLATE, "metadata": {"name": "mine"}, "spec": {"crd": {"spec": {"names": {"kind": "Mine"}}}}}
    out = gatekeeper_policies([{"name": "m", "template": "mine"}], LIBRARY, templates=[own])
    assert out["constraints"][0]["kind"] == "Mine" and "match" not in out["constraints"][0]["spec"]


NAMESPACES = [{"metadata": {"name": "team-a", "labels": {"tenant": "true"}}},
              {"metadata": {"name": "team-b", "labels": {"tenant": "true"}}},
              {"metadata": {"name": "kube-system"}}]


def test_quotas_for_named_and_selected_namespaces():
    items = [{"name": "q", "namespaces": ["kube-system"], "namespace_selector": {"matchLabels": {"tenant": "true"}},
              "resource_quota": {"hard": {"pods": "5"}}, "limit_range": [{"type": "Container"}]}]
    objects = namespace_quotas(items, NAMESPACES, labels={"owner": "namespace_quotas"})
    assert [(o["kind"], o["metadata"]["namespace"]) for o in objects] == [
        ("ResourceQuota", "kube-system"), ("LimitRange", "kube-system"), ("ResourceQuota", "team-a"),
        ("LimitRange", "team-a"), ("ResourceQuota", "team-b"), ("LimitRange", "team-b")]
    assert objects[1]["spec"] == {"limits": [{"type": "Container"}]}
    assert all(o["metadata"]["labels"] == {"owner": "namespace_quotas"} for o in objects)


@pytest.mark.parametrize("items, message", [
    ([{"name": "q", "namespaces": ["missing"], "resource_quota": {"hard": {}}}], "has no namespace missing"),
    ([{"name": "q", "resource_quota": {"hard": {"pods": "1"}}}], "name its namespaces"),
    ([{"name": "q", "namespaces": ["team-a"]}], "give it a resource_quota"),
    ([{"name": "q", "namespace_selector": {"matchLabels": {"bad key!": "x"}}, "limit_range": [{}]}], "namespace_selector"),
    ([{"name": "q", "namespaces": ["team-a"], "limit_range": [{}]}] * 2, "already gets objects named q"),
])
def test_bad_quota_items_fail_naming_the_item(items, message):
    with pytest.raises(AnsibleFilterError, match=message):
        namespace_quotas(items, NAMESPACES)


def test_leftovers_are_what_is_found_and_not_wanted():
    found = [{"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "a", "uid": "1"}},
             {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "b", "uid": "2"}},
             {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": {"name": "t"}}]
    wanted = [{"kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "a"}}]
    assert leftover_objects(found, wanted) == [
        {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": {"name": "t"}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "b"}}]


def test_objects_to_apply_leaves_out_what_the_cluster_holds_as_last_applied():
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "team-a"},
             "spec": {"hard": {"pods": "10"}}}
    other = dict(quota, metadata={"name": "q", "namespace": "team-b"})
    first = objects_to_apply([quota, other], [])
    assert [o["metadata"]["namespace"] for o in first] == ["team-a", "team-b"]
    # As the cluster lists them after the apply: the digest annotation, and fields the server adds.
    found = [dict(o, metadata=dict(o["metadata"], uid="u"), status={"used": {}}) for o in first]
    assert objects_to_apply([quota, other], found) == []
    someone_edited = [dict(found[0], spec={"hard": {"pods": "99"}}), found[1]]
    assert objects_to_apply([quota, other], someone_edited) == [first[0]]
    fewer_fields = dict(quota, spec={"hard": {}})  # the inventory dropped a limit: applied, so it is removed
    assert objects_to_apply([fewer_fields, other], found) == objects_to_apply([fewer_fields], [])


def _template(generation, created, *pods):
    return {"metadata": {"name": "t", "generation": generation},
            "status": {"created": created, "byPod": [dict(pod, id="gatekeeper-{0}".format(i)) for i, pod in enumerate(pods)]}}


def test_a_template_is_settled_once_its_current_generation_is_compiled_or_refused():
    assert gatekeeper_template_status(None) == {"settled": False, "errors": []}
    # `created` is left from generation 1; nothing reports generation 2 yet.
    assert not gatekeeper_template_status(_template(2, True, {"observedGeneration": 1}))["settled"]
    assert gatekeeper_template_status(_template(2, True, {"observedGeneration": 2})) == {"settled": True, "errors": []}
    rego = {"code": "ingest_error", "message": "rego_parse_error: unexpected eof"}
    refused = _template(2, False, {"observedGeneration": 2, "errors": [rego]}, {"observedGeneration": 2, "errors": [rego]})
    assert gatekeeper_template_status(refused) == {"settled": True, "errors": [rego["message"]]}
    old_error = _template(2, False, {"observedGeneration": 1, "errors": [rego]})
    assert gatekeeper_template_status(old_error) == {"settled": False, "errors": []}


def test_errors_gatekeeper_retries_are_waited_out():
    retried = {"code": "create_error", "message": "Could not create CRD: customresourcedefinitions ... already exists"}
    pending = _template(1, False, {"observedGeneration": 1, "errors": [retried]})
    assert gatekeeper_template_status(pending) == {"settled": False, "errors": []}
    one_pod_done = _template(1, True, {"observedGeneration": 1, "errors": [retried]}, {"observedGeneration": 1})
    assert gatekeeper_template_status(one_pod_done) == {"settled": True, "errors": []}
