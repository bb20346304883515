"""The collection artifact ships what a user runs and nothing that needs the checkout."""

import subprocess
import tarfile

from helpers import ROOT

DEVELOPMENT_ONLY = ("localfleet/", "upstream/", "benchmarks/", "tests/", "inventories/local/", ".fleet/", ".cache/")


def test_the_built_collection_holds_no_development_tooling(tmp_path):
    subprocess.run(["ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (artifact,) = tmp_path.glob("hubspoke-multicluster-*.tar.gz")
    with tarfile.open(artifact) as tar:
        names = set(tar.getnames())
    assert not [n for n in names if n.startswith(DEVELOPMENT_ONLY) or n in ("pytest.ini", "Makefile")]
    assert {"playbooks/site.yml", "plugins/inventory/clusters.py", "roles/argocd_hub/tasks/main.yml",
            "meta/runtime.yml", "README.md", "inventories/awx.clusters.yml"} <= names
