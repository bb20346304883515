"""Submariner from the inventory: the broker on the hub and every spoke joined, validated by the real CRD schemas
of the pinned upstream module; a member's broker token really works against the hub, within its Role."""

import base64

import pytest
from kubernetes import client, dynamic

import upstream
from helpers import INVENTORY, ROOT, assert_no_secret_in, delete_namespace, install_crds, run_playbook

SUBMARINER = ROOT / "playbooks/submariner.yml"
ROTATE = ROOT / "playbooks/rotate_credentials.yml"
CRDS = upstream.fetch("submariner-operator") / "crds"
SERVICE_EXPORT_CRD = upstream.fetch("karmada") / "crds/multicluster/multicluster.x-k8s.io_serviceexports.yaml"
OFFLINE = {"submariner_broker_crds": str(CRDS), "submariner_join_crds": str(CRDS),
           "service_export_services": [{"name": "kubernetes", "namespace": "default"}]}


@pytest.fixture(name="submariner", scope="module")
def fixture_submariner(local_fleet):
    """Lighthouse's ServiceExport CRD on the spokes (the operator installs it on a real cluster); cleanup after."""
    for spoke in local_fleet.spokes:
        install_crds(local_fleet.api(spoke), [SERVICE_EXPORT_CRD])
    yield
    run_playbook(SUBMARINER, INVENTORY, dict(OFFLINE, submariner_join_state="absent"))
    delete_namespace(local_fleet.kubeconfig, local_fleet.hub, "submariner-k8s-broker")


def test_broker_and_join(submariner, local_fleet):
    check = run_playbook(SUBMARINER, INVENTORY, OFFLINE, check=True)
    assert check.rc == 0, check.stdout
    assert "submariner-k8s-broker" not in {n.metadata.name for n in local_fleet.core(local_fleet.hub).list_namespace().items}

    first = run_playbook(SUBMARINER, INVENTORY, OFFLINE, verbosity=3)
    assert first.rc == 0, first.stdout
    assert_no_secret_in(first, local_fleet.secrets())
    hub = dynamic.DynamicClient(local_fleet.api(local_fleet.hub))
    broker = hub.resources.get(api_version="submariner.io/v1alpha1", kind="Broker").get(
        name="submariner-broker", namespace="submariner-k8s-broker")
    assert broker.spec.globalnetEnabled is False and broker.spec.components == ["service-discovery", "connectivity"]
    for spoke, (service, pods) in {"spoke-1": ("10.97.0.0/16", "10.161."), "spoke-2": ("10.98.0.0/16", "10.162.")}.items():
        member = dynamic.DynamicClient(local_fleet.api(spoke))
        spec = member.resources.get(api_version="submariner.io/v1alpha1", kind="Submariner").get(
            name="submariner", namespace="submariner-operator").spec
        assert spec.clusterID == spoke and spec.serviceCIDR == service and spec.clusterCIDR.startswith(pods)
        assert spec.brokerK8sApiServer == local_fleet.api(local_fleet.hub).configuration.host.removeprefix("https://")
        assert spec.brokerK8sSecret == "submariner-broker-secret" and spec.ceIPSecPSKSecret == "submariner-ipsec-psk"
        assert member.resources.get(api_version="multicluster.x-k8s.io/v1alpha1", kind="ServiceExport").get(
            name="kubernetes", namespace="default")
        gateways = local_fleet.core(spoke).list_node(label_selector="submariner.io/gateway=true").items
        assert len(gateways) == 1

    secret = local_fleet.core("spoke-1").read_namespaced_secret("submariner-broker-secret", "submariner-operator")
    token = base64.b64decode(secret.data["token"]).decode()
    assert token not in first.stdout
    in_broker = "submariner-k8s-broker"
    assert local_fleet.status_with_token(
        local_fleet.hub, token, lambda api: client.DiscoveryV1Api(api).list_namespaced_endpoint_slice(in_broker)) == 200
    assert local_fleet.status_with_token(
        local_fleet.hub, token, lambda api: client.CoreV1Api(api).list_namespaced_secret(in_broker)) == 403
    assert local_fleet.status_with_token(local_fleet.hub, token) == 403  # the namespace list
    psk = [local_fleet.core(c).read_namespaced_secret("submariner-ipsec-psk", n).data["psk"]
           for c, n in (("spoke-1", "submariner-operator"), ("spoke-2", "submariner-operator"),
                        (local_fleet.hub, in_broker))]
    assert len(set(psk)) == 1  # one key for every gateway

    again = run_playbook(SUBMARINER, INVENTORY, OFFLINE)
    assert again.rc == 0 and again.changed == 0, again.stdout


def broker_state(local_fleet):
    """(each member's broker token, every copy of the IPsec key: broker's first)."""
    tokens = {spoke: base64.b64decode(local_fleet.core(spoke).read_namespaced_secret(
        "submariner-broker-secret", "submariner-operator").data["token"]).decode() for spoke in local_fleet.spokes}
    keys = [local_fleet.core(local_fleet.hub).read_namespaced_secret("submariner-ipsec-psk", "submariner-k8s-broker").data["psk"]]
    keys += [local_fleet.core(spoke).read_namespaced_secret("submariner-ipsec-psk", "submariner-operator").data["psk"]
             for spoke in local_fleet.spokes]
    return tokens, keys


def test_rotation_issues_new_broker_tokens_and_a_new_key_to_every_member(submariner, local_fleet):
    assert run_playbook(SUBMARINER, INVENTORY, OFFLINE).rc == 0
    tokens, keys = broker_state(local_fleet)
    rotate = dict(OFFLINE, rotate_credentials_psk=True)
    tags = "submariner_broker,submariner_join"
    limited = run_playbook(ROTATE, INVENTORY, rotate, limit=f"{local_fleet.hub},spoke-1", tags=tags)
    assert limited.rc != 0 and "members spoke-2 of the broker" in limited.stdout, limited.stdout
    assert broker_state(local_fleet)[1] == keys  # refused before the key changed

    held = local_fleet.secrets()
    rotated = run_playbook(ROTATE, INVENTORY, rotate, tags=tags, verbosity=3)
    assert rotated.rc == 0, rotated.stdout
    assert_no_secret_in(rotated, held | local_fleet.secrets())
    new_tokens, new_keys = broker_state(local_fleet)
    assert len(set(new_keys)) == 1 and new_keys[0] != keys[0]
    in_broker = "submariner-k8s-broker"
    for spoke in local_fleet.spokes:
        assert new_tokens[spoke] != tokens[spoke]
        assert local_fleet.revoked(local_fleet.hub, tokens[spoke])
        assert local_fleet.status_with_token(local_fleet.hub, new_tokens[spoke], lambda api: client.DiscoveryV1Api(
            api).list_namespaced_endpoint_slice(in_broker)) == 200
    again = run_playbook(SUBMARINER, INVENTORY, OFFLINE)
    assert again.rc == 0 and again.changed == 0, again.stdout


def test_leave_cleans_both_sides(submariner, local_fleet):
    assert run_playbook(SUBMARINER, INVENTORY, OFFLINE).rc == 0
    gone = run_playbook(SUBMARINER, INVENTORY, dict(OFFLINE, submariner_join_state="absent"), limit="spoke-2")
    assert gone.rc == 0 and gone.changed > 0, gone.stdout
    assert "submariner-operator" not in {n.metadata.name for n in local_fleet.core("spoke-2").list_namespace().items}
    accounts = {a.metadata.name for a in local_fleet.core(local_fleet.hub).list_namespaced_service_account(
        "submariner-k8s-broker").items}
    assert "cluster-spoke-2" not in accounts and "cluster-spoke-1" in accounts
    labelled = local_fleet.core("spoke-2").list_node(label_selector="submariner.io/gateway").items
    assert not labelled  # subctl uninstall unlabels the gateways too
    again = run_playbook(SUBMARINER, INVENTORY, dict(OFFLINE, submariner_join_state="absent"), limit="spoke-2")
    assert again.rc == 0 and again.changed == 0, again.stdout
