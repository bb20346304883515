"""Nothing the project tracks reads a path outside its checkout: not ../shared, not a folder beside the clone.

Caches are the exception by name (FLEET_CACHE, ~/.cache): they are keyed by version and rebuilt when empty.
"""

import re
import subprocess

import pytest

from helpers import ROOT

FORBIDDEN = [
    re.compile(r"\.\./shared\b"),
    re.compile(r"shared/upstream"),
    re.compile(r"ROOT\.parent\b"),
    re.compile(r"parent\.parent\.parent"),
    re.compile(r"\$\(CURDIR\)/\.\."),
]
# A chain of ../ in a path of a YAML, shell or make file, resolved against the file's folder (an inventory's own
# folder for group_vars), unless it follows a make variable (`$(SANITY_TREE)/..`: relative to that folder).
# Python builds paths from ROOT, which FORBIDDEN covers; its ../ are file contents.
RELATIVE = re.compile(r"(\$\([A-Z_]+\)/)?((?:\.\./)+[\w.-]*)")
PATH_FILES = (".yml", ".yaml", ".sh", ".j2", ".cfg", ".env", "Makefile", "/run")
THIS = "tests/unit/test_self_contained.py"


def tracked_files():
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [name for name in names if name not in (THIS, "LICENSE") and (ROOT / name).is_file()]


def base_of(name):
    parent = (ROOT / name).parent
    return parent.parent if parent.name in ("group_vars", "host_vars") else parent


@pytest.mark.parametrize("name", tracked_files())
def test_no_tracked_file_reads_outside_the_checkout(name):
    try:
        text = (ROOT / name).read_text()
    except UnicodeDecodeError:
        return
    for pattern in FORBIDDEN:
        assert not pattern.search(text), f"{name} names {pattern.pattern}: a path outside the checkout"
    if not name.endswith(PATH_FILES):
        return
    for make_variable, relative in RELATIVE.findall(text):
        resolved = (base_of(name) / relative).resolve()
        assert make_variable or resolved == ROOT or ROOT in resolved.parents, (
            f"{name}: {relative!r} leaves the checkout (resolves to {resolved})")
