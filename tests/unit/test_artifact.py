"""The collection artifact ships what a user runs and nothing that needs the checkout."""

import subprocess
import tarfile

from helpers import ROOT

DEVELOPMENT_ONLY = ("localfleet/", "upstream/", "benchmarks/", "tests/", "inventories/local/", ".fleet", ".cache/")


def test_the_built_collection_holds_no_development_tooling(tmp_path):
    subprocess.run(["ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (artifact,) = tmp_path.glob("hubspoke-multicluster-*.tar.gz")
    with tarfile.open(artifact) as tar:
        files = {m.name for m in tar.getmembers() if m.isfile()} - {"MANIFEST.json", "FILES.json"}
    assert not [n for n in files if n.startswith(DEVELOPMENT_ONLY) or n in ("pytest.ini", "Makefile")]
    # Nothing a checkout holds beside its tracked files (a fleet's data, caches, a virtualenv) is shipped.
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert files <= set(tracked), sorted(files - set(tracked))
    assert {"playbooks/site.yml", "plugins/inventory/clusters.py", "roles/argocd_hub/tasks/main.yml",
            "meta/runtime.yml", "README.md", "inventories/awx.clusters.yml"} <= files
