"""Run ansible-playbook the way a user does and read its results as data (ansible.posix.json callback)."""

import base64
import json
import os
import re
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

    def why(self, tail=3000):
        """What failed or changed, task by task and host by host, then the output's tail: an assertion message
        that names the task even when the output is long."""
        lines = []
        for play in self.plays:
            for task in play["tasks"]:
                for host, result in task["hosts"].items():
                    if result.get("changed"):
                        lines.append(f"{host}: {task['task']['name']}: changed")
                    for failed in [item for item in result.get("results", []) if item.get("failed")] or [result]:
                        if failed.get("failed") or failed.get("unreachable"):
                            detail = failed.get("msg") or failed.get("stderr") or failed.get("exception") or ""
                            lines.append(f"{host}: {task['task']['name']}: {str(detail)[:1500]}")
        return "\n".join(lines + ["--- output's tail ---", self.stdout[-tail:], self.stderr[-tail:]])

    def results(self, task_name):
        """{host: result} for every run of the named task (in a role too)."""
        found = {}
        for play in self.plays:
            for task in play["tasks"]:
                name = task["task"]["name"]
                if name == task_name or name.endswith(" : " + task_name):  # roles prefix their tasks
                    found.update(task["hosts"])
        return found


def _command(playbook, inventory, extra_vars=None, check=False, diff=False, verbosity=0, limit=None, tags=None):
    inventories = inventory if isinstance(inventory, (list, tuple)) else [inventory]
    cmd = ["ansible-playbook", *[arg for path in inventories for arg in ("-i", str(path))], str(playbook)]
    if limit:
        cmd += ["--limit", limit]
    if tags:
        cmd += ["--tags", tags]
    # one dict, or a list of dicts and "@file" references, each its own -e
    for extra in (extra_vars if isinstance(extra_vars, list) else [extra_vars] if extra_vars else []):
        cmd += ["-e", extra if isinstance(extra, str) else json.dumps(extra)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    return cmd


def _environment(env):
    return {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0", **(env or {})}


def run_playbook(playbook, inventory, extra_vars=None, check=False, diff=False, verbosity=0, env=None, limit=None,
                 cwd=ROOT, tags=None):
    """ansible-playbook with JSON output; never raises for a failed play (tests assert on it)."""
    proc = subprocess.run(_command(playbook, inventory, extra_vars, check, diff, verbosity, limit, tags), cwd=cwd,
                          env=_environment(env), capture_output=True, text=True, check=False)
    try:
        doc = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError as err:
        raise AssertionError(f"ansible-playbook printed no JSON (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}") from err
    return PlaybookRun(proc.returncode, doc.get("stats", {}), doc.get("plays", []), proc.stdout, proc.stderr)


def start_playbook(playbook, inventory, extra_vars=None, env=None, cwd=ROOT, limit=None):
    """ansible-playbook started in the background (runs at once); wait() gives its return code."""
    return subprocess.Popen(_command(playbook, inventory, extra_vars, limit=limit), cwd=cwd, env=_environment(env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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


def wait_for(check, what, timeout=180):
    """check()'s first true value, polled every second; fails naming `what` after `timeout` seconds."""
    import time  # pylint: disable=import-outside-toplevel

    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(1)
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


# Keys whose values are public (certificates, CA bundles) or not credentials (a namespace name).
_PUBLIC_KEYS = {"ca.crt", "caBundle", "tls.crt", "namespace", "server", "name", "clusterResources", "project",
                "shard", "namespaces"}
# Timestamps (Argo CD's admin.passwordMtime) and numbers are not credentials, and do appear in logs.
_NOT_SECRET = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+Z?|\d+)$")
_SECRET_FIELDS = {"bearerToken", "keyData", "token", "client-key-data", "password", "psk", "api_key"}


def _needles(text):
    """What to look for in a log for one secret value: the value, and each long line of a multi-line one (a
    JSON log escapes newlines, so a PEM key shows as its lines)."""
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 20 and "-----" not in line]
    return ({text} if "\n" not in text.strip() and len(text) >= 12 else set()) | set(lines)


def _structured(value):
    """The mapping a JSON or YAML value holds (Argo CD's config, a kubeconfig), else None."""
    import yaml  # pylint: disable=import-outside-toplevel

    for load in (json.loads, yaml.safe_load):
        try:
            doc = load(value)
        except Exception:  # pylint: disable=broad-exception-caught  # not this format
            continue
        if isinstance(doc, dict):
            return doc
    return None


def _inner_secrets(doc):
    """Credentials inside a structured value: Argo CD's config JSON, a kubeconfig's users."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, item in node.items():
                if key in _SECRET_FIELDS and isinstance(item, str) and item:
                    found.update(_needles(item))
                    if key in ("keyData", "client-key-data"):
                        found.update(_needles(base64.b64decode(item).decode(errors="replace")))
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    return found


def fleet_secrets(kubeconfig, contexts):
    """Every credential the clusters of `contexts` hold in Secrets (tokens, keys, PSKs, the tokens and keys inside
    Argo CD's config and kubeconfigs), decoded and as stored, and the client keys of `kubeconfig` itself."""
    from kubernetes import client  # pylint: disable=import-outside-toplevel

    found = _inner_secrets(_structured(Path(kubeconfig).read_text()))
    for context in contexts:
        for secret in client.CoreV1Api(fleet_api(kubeconfig, context)).list_secret_for_all_namespaces().items:
            for key, stored in (secret.data or {}).items():
                if key in _PUBLIC_KEYS:
                    continue
                value = base64.b64decode(stored).decode(errors="replace")
                if ("PRIVATE KEY" not in value and "BEGIN CERTIFICATE" in value) or _NOT_SECRET.match(value):
                    continue
                doc = _structured(value)
                found |= _needles(stored) | (_inner_secrets(doc) if doc is not None else _needles(value))
    return {needle for needle in found if len(needle) >= 12}


def assert_no_secret_in(run, secrets):
    """The run's whole output (stdout and stderr, at any verbosity) holds none of `secrets`."""
    output = run.stdout + run.stderr
    leaked = sorted(s for s in secrets if s in output)
    assert not leaked, "{0} secret value(s) in the output, first: {1}...".format(len(leaked), leaked[0][:8])
