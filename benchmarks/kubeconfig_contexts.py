"""The connection of every host of a task run once, from one kubeconfig of N contexts: what the action plugin and
the module do for each host (kube/kubeconfig_files.minify), with the files merged once per run (now) and merged
again for each context (before), side by side. CPU seconds, medians; no fleet needed.

  .venv/bin/python benchmarks/kubeconfig_contexts.py [--contexts 200 1000] [--runs 3]
  (with the Makefile's environment, which puts the collection on ANSIBLE_COLLECTIONS_PATH)
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)[0])

from benchmarks.inventory_scale import kubeconfig_of  # noqa: E402  # pylint: disable=wrong-import-position
from ansible_collections.hubspoke.multicluster.plugins.module_utils.kube import (  # noqa: E402  # pylint: disable=wrong-import-position
    kubeconfig_files,
)


def every_context(path, names, merge_each):
    start = time.process_time()
    for name in names:
        if merge_each:
            kubeconfig_files._MERGED.clear()  # pylint: disable=protected-access  # the behaviour before
        kubeconfig_files.minify([path], name)
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contexts", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        print("| contexts | merged once (now) | merged per context (before) | before/now |")
        print("|---|---|---|---|")
        for count in args.contexts:
            doc = kubeconfig_of(count)
            path = os.path.join(scratch, "{0}.kubeconfig".format(count))
            Path(path).write_text(yaml.safe_dump(doc), encoding="utf-8")
            names = [c["name"] for c in doc["contexts"]]
            kubeconfig_files.load(path)  # the parse is the same either way
            now = statistics.median(every_context(path, names, False) for _run in range(args.runs))
            before = statistics.median(every_context(path, names, True) for _run in range(args.runs))
            print("| {0} | {1:.3f} s | {2:.3f} s | {3:.0f}x |".format(count, now, before, before / max(now, 1e-6)))


if __name__ == "__main__":
    main()
