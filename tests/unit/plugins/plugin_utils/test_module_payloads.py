"""A payload Ansible built in one run reaches the next run only while every file it was built from is as it was."""

import base64
import io
import os
import zipfile
from pathlib import Path

import pytest

from ansible.executor.module_common import _CachedModule
from ansible.executor.module_common import ModuleMetadataV1

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import module_payloads

MODULE = "ansible_collections.acme.fleet.plugins.modules.probe-ZIP_DEFLATED-none"


@pytest.fixture(name="collection")
def fixture_collection(tmp_path, monkeypatch):
    """A collection acme.fleet on disk, resolved there as Ansible's loader would resolve it."""
    folder = tmp_path / "collections/ansible_collections/acme/fleet"
    (folder / "plugins/modules").mkdir(parents=True)
    (folder / "plugins/module_utils").mkdir(parents=True)
    (folder / "plugins/modules/probe.py").write_text("from ..module_utils import util\n")
    (folder / "plugins/module_utils/util.py").write_text("VALUE = 1\n")
    monkeypatch.setattr(module_payloads, "_collection_folders",
                        lambda: lambda namespace, name: str(folder) if (namespace, name) == ("acme", "fleet") else None)
    return folder


def build(run_folder, collection, name=MODULE, extra=None):
    """What Ansible writes into a run's cache for the module probe: its files and the empty package files."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as payload:
        payload.writestr("ansible/__init__.py", "# Ansible's stub\n")
        payload.writestr("ansible_collections/__init__.py", "")
        payload.writestr("ansible_collections/acme/__init__.py", "")
        payload.writestr("ansible_collections/acme/fleet/__init__.py", "")
        for part in ("plugins/modules/probe.py", "plugins/module_utils/util.py"):
            payload.writestr("ansible_collections/acme/fleet/" + part, (collection / part).read_text())
        for member, content in (extra or {}).items():
            payload.writestr(member, content)
    cache = Path(run_folder) / module_payloads.CACHE
    cache.mkdir(parents=True, exist_ok=True)
    _CachedModule(zip_data=base64.b64encode(data.getvalue()), metadata=ModuleMetadataV1(serialization_profile="legacy"),
                  source_mapping={}).dump(str(cache / name))


def new_run(tmp_path, name):
    run_folder = tmp_path / "local_tmp" / name
    run_folder.mkdir(parents=True)
    return str(run_folder)


def given(run_folder, name=MODULE):
    return (Path(run_folder) / module_payloads.CACHE / name).exists()


def test_the_next_run_gets_what_a_run_built(tmp_path, collection):
    first = new_run(tmp_path, "ansible-local-1")
    module_payloads.hand_over(first)
    build(first, collection)
    module_payloads.keep(first)
    second = new_run(tmp_path, "ansible-local-2")
    module_payloads.hand_over(second)
    assert given(second)
    assert _CachedModule.load(str(Path(second) / module_payloads.CACHE / MODULE)).zip_data == \
        _CachedModule.load(str(Path(first) / module_payloads.CACHE / MODULE)).zip_data
    store = next((tmp_path / "local_tmp").glob("hubspoke-module-payloads-*"))
    assert os.stat(store).st_mode & 0o777 == 0o700


def test_a_file_changed_since_means_ansible_builds_it_again(tmp_path, collection):
    first = new_run(tmp_path, "ansible-local-1")
    build(first, collection)
    module_payloads.keep(first)
    (collection / "plugins/module_utils/util.py").write_text("VALUE = 2\n")
    second = new_run(tmp_path, "ansible-local-2")
    module_payloads.hand_over(second)
    assert not given(second)


def test_a_package_file_that_appeared_since_means_ansible_builds_it_again(tmp_path, collection):
    first = new_run(tmp_path, "ansible-local-1")
    build(first, collection)
    module_payloads.keep(first)
    (collection / "__init__.py").write_text("")
    second = new_run(tmp_path, "ansible-local-2")
    module_payloads.hand_over(second)
    assert not given(second)


@pytest.mark.parametrize("name, extra", [
    (MODULE, {"ansible_collections/acme/fleet/plugins/module_utils/made.py": "generated = True\n"}),  # no such file
    (MODULE, {"ansible_collections/other/coll/plugins/module_utils/x.py": ""}),  # a collection not found
    ("ansible.legacy.probe-ZIP_DEFLATED-none", {}),  # a role's module: its name does not tell two apart
])
def test_a_payload_not_made_of_files_alone_is_not_kept(tmp_path, collection, name, extra):
    first = new_run(tmp_path, "ansible-local-1")
    build(first, collection, name, extra)
    module_payloads.keep(first)
    second = new_run(tmp_path, "ansible-local-2")
    module_payloads.hand_over(second)
    assert not given(second, name)


def test_a_run_hands_over_once_and_does_not_keep_what_it_was_given(tmp_path, collection, monkeypatch):
    first = new_run(tmp_path, "ansible-local-1")
    build(first, collection)
    module_payloads.keep(first)
    second = new_run(tmp_path, "ansible-local-2")
    module_payloads.hand_over(second)
    (Path(second) / module_payloads.CACHE / MODULE).unlink()
    module_payloads.hand_over(second)  # the second call of the run finds it done
    assert not given(second)
    monkeypatch.setattr(module_payloads, "_keep_one", lambda *args: pytest.fail("kept a payload it was given"))
    build(second, collection)
    module_payloads.keep(second)
