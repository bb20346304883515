"""Run ansible-playbook the way a user does and read its results as data (ansible.posix.json callback)."""

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from localfleet import config

ROOT = Path(__file__).resolve().parent.parent
# inventories/local pointed at the test fleet (localfleet.fleet.local_inventory, written by the local_fleet fixture).
INVENTORY = config.FLEET_DIR / "inventory"


@dataclass
class PlaybookRun:
    rc: int
    stats: dict
    plays: list = field(repr=False)
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)

    def total(self, key):
        """Sum one recap column (changed, failures, unreachable, ok...) over all hosts."""
        return sum(host.get(key, 0) for host in self.stats.values())

    @property
    def changed(self):
        return self.total("changed")

    @property
    def failed(self):
        return self.total("failures") + self.total("unreachable")

    def results(self, task_name):
        """{host: result} for every run of the named task (in a role too)."""
        found = {}
        for play in self.plays:
            for task in play["tasks"]:
                name = task["task"]["name"]
                if name == task_name or name.endswith(" : " + task_name):  # roles prefix their tasks
                    found.update(task["hosts"])
        return found


def run_playbook(playbook, inventory, extra_vars=None, check=False, diff=False, verbosity=0, env=None, limit=None,
                 cwd=ROOT):
    """ansible-playbook with JSON output; never raises for a failed play (tests assert on it)."""
    inventories = inventory if isinstance(inventory, (list, tuple)) else [inventory]
    cmd = ["ansible-playbook", *[arg for path in inventories for arg in ("-i", str(path))], str(playbook)]
    if limit:
        cmd += ["--limit", limit]
    # one dict, or a list of dicts and "@file" references, each its own -e
    for extra in (extra_vars if isinstance(extra_vars, list) else [extra_vars] if extra_vars else []):
        cmd += ["-e", extra if isinstance(extra, str) else json.dumps(extra)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    run_env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_NOCOLOR": "1",
               "ANSIBLE_RETRY_FILES_ENABLED": "0", **(env or {})}
    proc = subprocess.run(cmd, cwd=cwd, env=run_env, capture_output=True, text=True, check=False)
    try:
        doc = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError as err:
        raise AssertionError(f"ansible-playbook printed no JSON (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}") from err
    return PlaybookRun(proc.returncode, doc.get("stats", {}), doc.get("plays", []), proc.stdout, proc.stderr)


def fleet_api(kubeconfig, context):
    """A kubernetes ApiClient for one context of the fleet kubeconfig (test setup and assertions)."""
    from kubernetes import config  # pylint: disable=import-outside-toplevel

    return config.new_client_from_config(str(kubeconfig), context=context, persist_config=False)


def kube_system_uid(kubeconfig, context):
    """The UID of a cluster's kube-system Namespace: unique per cluster, so it proves which cluster answered."""
    from kubernetes import client  # pylint: disable=import-outside-toplevel

    return client.CoreV1Api(fleet_api(kubeconfig, context)).read_namespace("kube-system").metadata.uid


def unwrap(value):
    """ansible-inventory marks strings from plugins as {"__ansible_unsafe": ...}; tests compare plain data."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def delete_namespace(kubeconfig, context, name, timeout=90):
    """Delete a namespace and wait until it is gone, so the next test may create it again."""
    import time  # pylint: disable=import-outside-toplevel

    from kubernetes import client  # pylint: disable=import-outside-toplevel

    core = client.CoreV1Api(fleet_api(kubeconfig, context))
    try:
        core.delete_namespace(name)
    except client.ApiException as err:
        if err.status != 404:
            raise
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            core.read_namespace(name)
        except client.ApiException as err:
            if err.status == 404:
                return
            raise
        time.sleep(0.2)
    raise AssertionError(f"namespace {name} on {context} still terminating after {timeout}s")


def argocd_cluster_secrets(kubeconfig, hub, namespace="argocd"):
    """{Secret name: V1Secret} of the Argo CD cluster Secrets on the hub."""
    from kubernetes import client  # pylint: disable=import-outside-toplevel

    core = client.CoreV1Api(fleet_api(kubeconfig, hub))
    items = core.list_namespaced_secret(namespace, label_selector="argocd.argoproj.io/secret-type=cluster").items
    return {s.metadata.name: s for s in items}


def as_argocd(secret):
    """(ApiClient, cluster) built from a cluster Secret exactly as Argo CD builds it: token + CA, TLS verified."""
    from kubernetes import client, config  # pylint: disable=import-outside-toplevel

    from ansible_collections.hubspoke.multicluster.plugins.module_utils.argocd.cluster_secret import (  # pylint: disable=import-outside-toplevel
        kubeconfig_from_config,
        parse_cluster_secret,
    )

    cluster = parse_cluster_secret(client.ApiClient().sanitize_for_serialization(secret))
    return config.new_client_from_config_dict(
        kubeconfig_from_config("argocd", cluster["server"], cluster["config"]), persist_config=False), cluster


def install_crds(api_client, paths):
    """Create the CRDs of these upstream files (an existing one is fine) and wait until they are Established."""
    import time  # pylint: disable=import-outside-toplevel

    import yaml  # pylint: disable=import-outside-toplevel
    from kubernetes import client  # pylint: disable=import-outside-toplevel

    extensions = client.ApiextensionsV1Api(api_client)
    names = []
    for path in paths:
        crd = yaml.safe_load(Path(path).read_text())
        names.append(crd["metadata"]["name"])
        try:
            extensions.create_custom_resource_definition(crd)
        except client.ApiException as err:
            if err.status != 409:
                raise
    for name in names:
        for _attempt in range(200):
            status = extensions.read_custom_resource_definition(name).status
            if any(c.type == "Established" and c.status == "True" for c in status.conditions or []):
                break
            time.sleep(0.1)
