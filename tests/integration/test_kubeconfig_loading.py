"""kubeconfig files are loaded as kubectl loads them, proven against kubectl itself (built with the fleet).

For layouts users really have (a KUBECONFIG list whose context, cluster and user live in different files, the
same context name in two files, relative certificate paths, current-context set in two files, a listed file
that does not exist), the kubeconfig the cluster connection writes for a context is what `kubectl config view
--raw --minify` prints for it, and a task through the inventory reads the same cluster as `kubectl get`.
"""

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import ROOT, run_playbook
from localfleet import config

from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import kubeconfig_files

WHOAMI = ROOT / "tests/integration/playbooks/whoami.yml"


def kubectl(kubeconfig, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("K8S_AUTH_")}
    proc = subprocess.run([str(config.binary("kubectl")), *args], env={**env, "KUBECONFIG": kubeconfig},
                          capture_output=True, text=True, check=True)
    return proc.stdout


def cluster_files(tmp_path, name, folder):
    """`name`'s CA, client certificate and key, copied beside a kubeconfig in `folder`, named relatively."""
    pki = config.CLUSTERS_DIR / name / "pki"
    (tmp_path / folder / "pki").mkdir(parents=True, exist_ok=True)
    for source, target in (("ca.crt", f"{name}-ca.crt"), ("admin.crt", f"{name}.crt"), ("admin.key", f"{name}.key")):
        shutil.copyfile(pki / source, tmp_path / folder / "pki" / target)
    server = yaml.safe_load(config.KUBECONFIG.read_text())["clusters"]
    server = next(c["cluster"]["server"] for c in server if c["name"] == name)
    return ({"name": name, "cluster": {"server": server, "certificate-authority": f"pki/{name}-ca.crt"}},
            {"name": f"{name}-admin", "user": {"client-certificate": f"pki/{name}.crt",
                                               "client-key": f"pki/{name}.key"}})


def write(path, **doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", **doc}))
    return str(path)


@pytest.fixture(name="layout")
def fixture_layout(local_fleet, tmp_path):
    """a/config: contexts `one` (spoke-1) and `both` (hub); b/config: spoke-1's cluster and user, hub's, and a
    context `both` of its own (spoke-2's, shadowed by a's). Both files set current-context; a's wins. The list
    names a missing file too. Certificate paths are relative to each file's folder."""
    hub_cluster, hub_user = cluster_files(tmp_path, "hub", "a")
    one_cluster, one_user = cluster_files(tmp_path, "spoke-1", "b")
    two_cluster, two_user = cluster_files(tmp_path, "spoke-2", "b")
    a = write(tmp_path / "a/config", clusters=[hub_cluster], users=[hub_user], **{"current-context": "one"},
              contexts=[{"name": "one", "context": {"cluster": "spoke-1", "user": "spoke-1-admin"}},
                        {"name": "both", "context": {"cluster": "hub", "user": "hub-admin"}}])
    b = write(tmp_path / "b/config", clusters=[one_cluster, two_cluster], users=[one_user, two_user],
              **{"current-context": "both"},
              contexts=[{"name": "both", "context": {"cluster": "spoke-2", "user": "spoke-2-admin"}},
                        {"name": "two", "context": {"cluster": "spoke-2", "user": "spoke-2-admin"}}])
    return os.pathsep.join([a, str(tmp_path / "missing/config"), b])


def flatten(doc):
    """What `kubectl config view --flatten` makes of file references: their contents, base64, as *-data."""
    for key, fields in kubeconfig_files.PATH_FIELDS.items():
        for entry in doc[key]:
            inner = entry[kubeconfig_files.INNER[key]]
            for field in fields:
                if field in inner and field != "tokenFile":
                    inner[field + "-data"] = base64.b64encode(Path(inner.pop(field)).read_bytes()).decode()
    return doc


@pytest.mark.parametrize("context", ["one", "both", "two", None])
def test_minified_kubeconfig_is_kubectls(layout, context):
    # --flatten reads each referenced file as kubectl resolves it (relative to the file that names it).
    args = ["config", "view", "--raw", "--minify", "--flatten", "-o", "json"] + (["--context", context] if context else [])
    theirs = json.loads(kubectl(layout, *args))
    ours = flatten(kubeconfig_files.minify([p for p in layout.split(os.pathsep) if os.path.exists(p)], context))
    for key in ("clusters", "users", "contexts"):
        assert ours[key] == theirs[key], key
    assert ours["current-context"] == theirs["current-context"]


def test_tasks_read_the_cluster_kubectl_reads(layout, tmp_path):
    inventory = tmp_path / "layout.clusters.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "hubspoke.multicluster.clusters",
                                         "sources": [{"type": "kubeconfig"}]}))  # the KUBECONFIG list
    run = run_playbook(WHOAMI, inventory, env={"KUBECONFIG": layout})
    assert run.rc == 0, run.stdout
    seen = {host: result["resources"][0]["metadata"]["uid"]
            for host, result in run.results("Read the cluster's kube-system Namespace").items()}
    assert set(seen) == {"one", "both", "two"}
    for context, uid in seen.items():
        assert uid == kubectl(layout, "--context", context, "get", "namespace", "kube-system",
                              "-o", "jsonpath={.metadata.uid}")
