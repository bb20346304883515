"""Ansible imports every filter file of the collection in a worker process as soon as a task uses one of them, in
every task on every host: a filter file that imports the kubernetes client (a third of a second) made each such
task cost a fleet of 21 seconds of CPU. None may."""

import subprocess
import sys
from pathlib import Path

FILTERS = Path(__file__).resolve().parents[3].parent / "plugins" / "filter"


def test_no_filter_file_imports_the_kubernetes_client():
    names = sorted(path.stem for path in FILTERS.glob("*.py") if path.stem != "__init__")
    assert names
    script = ("import importlib, sys\n"
              "from ansible.plugins.loader import init_plugin_loader\n"
              "init_plugin_loader()\n"  # the collection loader, as tests/conftest.py installs it
              "for name in sys.argv[1:]:\n"
              "    importlib.import_module('ansible_collections.hubspoke.multicluster.plugins.filter.' + name)\n"
              "print(sorted(m for m in sys.modules if m == 'kubernetes' or m.startswith('kubernetes.')))\n")
    out = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
