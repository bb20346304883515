"""The local fleet, once per test session: reuse a running one, or start it and stop it afterwards."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client

from helpers import argocd_cluster_secrets, fleet_api, fleet_secrets
from localfleet import config, fleet


# The order in which `make integration` builds the extras in the background (TEST_EXTRAS in the Makefile).
BUILD_ORDER = ("karmada", "argocd", "thanos", "rollouts", "gatekeeper", "capi")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """The controller decides once which extras are still to build, so that every worker orders the same
    collection (xdist aborts when two workers collect different orders) even if a build ends meanwhile."""
    node.workerinput["extras_missing"] = _missing_extras()


def _missing_extras():
    return [name for name in config.missing_builds(BUILD_ORDER) if name != "kubernetes"]


def pytest_collection_modifyitems(items):
    """Test files that need no extra build first, the largest first; then those waiting on a build, in the order
    the background build finishes them. With every build cached, the order is by size alone."""
    workerinput = getattr(items[0].config, "workerinput", None) if items else None
    missing = workerinput["extras_missing"] if workerinput else _missing_extras()
    per_file, rank = {}, {}
    for item in items:
        per_file[item.path] = per_file.get(item.path, 0) + 1
        marker = item.get_closest_marker("builds")
        needed = [BUILD_ORDER.index(name) + 1 for name in (marker.args if marker else ()) if name in missing]
        rank[item.path] = max([rank.get(item.path, 0), *needed])
    items.sort(key=lambda item: (rank[item.path], -per_file[item.path]))


@dataclass(frozen=True)
class Fleet:
    kubeconfig: Path
    hub: str
    spokes: tuple

    @property
    def contexts(self):
        return (self.hub, *self.spokes)

    def api(self, context):
        return fleet_api(self.kubeconfig, context)

    def core(self, context):
        return client.CoreV1Api(self.api(context))

    def apps(self, context):
        return client.AppsV1Api(self.api(context))

    def status_with_token(self, context, token, call=lambda api: client.CoreV1Api(api).list_namespace()):
        """HTTP status (200, 401, 403) of `call` on this cluster with a bearer token, TLS verified as the fleet's."""
        trusted = self.api(context).configuration
        conf = client.Configuration(host=trusted.host, api_key={"authorization": "Bearer " + token})
        conf.ssl_ca_cert = trusted.ssl_ca_cert
        try:
            call(client.ApiClient(conf))
        except client.ApiException as err:
            return err.status
        return 200

    def revoked(self, context, token, timeout=20):
        """Whether the cluster refuses the token (401) within `timeout` seconds: kube-apiserver caches a token it
        accepted for 10 s, so a token used just before its revocation still works that long."""
        import time  # pylint: disable=import-outside-toplevel

        deadline = time.monotonic() + timeout
        while self.status_with_token(context, token) != 401:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
        return True

    def secrets(self):
        """Every credential the fleet's clusters and Karmada's API server (when up) hold, for log greps."""
        found = fleet_secrets(self.kubeconfig, self.contexts)
        if any(row["cluster"] == "karmada" and row["state"] == "up" for row in fleet.status()):
            found |= fleet_secrets(config.KARMADA_KUBECONFIG, ["karmada"])
        return found

    def argocd_secrets(self):
        """{name: Secret} of the Argo CD cluster Secrets on the hub."""
        return argocd_cluster_secrets(self.kubeconfig, self.hub)


@pytest.fixture(scope="session")
def local_fleet():
    spokes = 2  # the tests are written for a hub and two spokes
    wanted = {spec.name for spec in config.fleet_specs(spokes)}
    up = {row["cluster"] for row in fleet.status() if row["state"] == "up"}
    was_up = wanted <= up
    specs = fleet.up(spokes)
    fleet.local_inventory()
    yield Fleet(config.KUBECONFIG, specs[0].name, tuple(s.name for s in specs[1:]))
    if not was_up:
        fleet.down()


@pytest.fixture(scope="session")
def local_inventory(local_fleet, tmp_path_factory):
    """A static inventory of the fleet's clusters (hub in `hubs`, the rest in `spokes`)."""
    path = tmp_path_factory.mktemp("inventory") / "hosts.yml"
    lines = ["all:", "  vars:", "    ansible_connection: hubspoke.multicluster.cluster",
             "    ansible_python_interpreter: \"{{ ansible_playbook_python }}\"",
             f"    hubspoke_connection: {{kubeconfig: {local_fleet.kubeconfig}, context: \"{{{{ inventory_hostname }}}}\"}}",
             "  children:", "    hubs:", "      hosts:", f"        {local_fleet.hub}:",
             "    spokes:", "      hosts:", *[f"        {s}:" for s in local_fleet.spokes]]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(name="ghost_spoke")
def fixture_ghost_spoke(tmp_path):
    """An extra inventory with a spoke whose API server does not answer."""
    kubeconfig = tmp_path / "ghost.kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "ghost",
        "clusters": [{"name": "ghost", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "ghost", "user": {"token": "none"}}],
        "contexts": [{"name": "ghost", "context": {"cluster": "ghost", "user": "ghost"}}]}))
    inventory = tmp_path / "ghost.yml"
    inventory.write_text(json.dumps({"role_spoke": {"hosts": {"ghost": {
        "ansible_connection": "hubspoke.multicluster.cluster",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "hubspoke_connection": {"kubeconfig": str(kubeconfig)}, "hubspoke_labels": {"environment": "production"}}}}}))
    return inventory
