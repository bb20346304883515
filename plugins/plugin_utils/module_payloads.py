# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module payloads (AnsiballZ) kept from one playbook run for the next.

Ansible builds each module's payload, the module and every module_util it imports (found by compiling each
one's source), once per run, in the run's own temporary folder (ansiballz_cache), and throws it away at the end:
about a third of a second of the controller's CPU per module used, as much as a read of a whole fleet, paid again
by every run (a no-op site.yml uses seven modules). keep() copies what a run built into a folder of this user's
beside the runs' folders (plugin_utils/user_folders.py), keyed by the Ansible install, with the file each part of
the payload was copied from; hand_over() gives a new run those whose every file is still as it was (the same
path, as the run resolves the collection now, size and modification time), before its first module is built.
A payload any part of which is not a copy of a file (but for the empty package files and Ansible's two stubs,
which depend on the Ansible install only) is not kept, nor are the payloads of modules in roles, which have no
name that tells two apart. No maintained library does this: Ansible's own cache lives and dies with the run.
"""

import base64
import importlib.util
import io
import json
import os
import shutil
import sys
import zipfile

import ansible
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.release import __version__ as ansible_version

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import user_folders

CACHE = "ansiballz_cache"  # Ansible's folder of payloads in a run's temporary folder
HANDED_OVER = ".hubspoke-handed-over"  # in that folder: the payloads a run was given, so it does not keep them again
KEPT = ".hubspoke-kept-"  # in that folder: a payload this run kept (or found it cannot keep)
# Parts Ansible writes itself, the same for every payload of one Ansible install (which names the store).
ANSIBLE_STUBS = ("ansible/__init__.py", "ansible/module_utils/__init__.py")
KEPT_MODULES = ("ansible_collections.", "ansible.modules.")


def _store(run_folder):
    return user_folders.beside_runs(run_folder, "hubspoke-module-payloads-" + user_folders.digest(
        [ansible_version, ansible.__file__, sys.executable]))


def _collection_folders():
    """{"ns.name": folder} as this process resolves collections, filled on demand."""
    found = {}

    def folder(namespace, name):
        key = namespace + "." + name
        if key not in found:
            try:
                spec = importlib.util.find_spec("ansible_collections.{0}.{1}".format(namespace, name))
                found[key] = list(spec.submodule_search_locations)[0] if spec else None
            except (ImportError, ValueError, IndexError, TypeError):
                found[key] = None
        return found[key]
    return folder


def _source(member, collection_folder):
    """The file a payload part is a copy of, where this process would find it now; None when there is none."""
    parts = member.split("/")
    if parts[0] == "ansible":
        return os.path.join(os.path.dirname(os.path.dirname(ansible.__file__)), *parts)
    if parts[0] == "ansible_collections" and len(parts) > 3:
        folder = collection_folder(parts[1], parts[2])
        return os.path.join(folder, *parts[3:]) if folder else None
    return None


def _sources(zip_bytes, collection_folder):
    """{part: [file, size, mtime] or None (empty, or an Ansible stub)} of a payload, or None when a part is not a
    copy of a file as it is now."""
    sources = {}
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as payload:
        for member in payload.namelist():
            if member in ANSIBLE_STUBS:
                sources[member] = None
                continue
            data = payload.read(member)
            path = _source(member, collection_folder)
            if path is None:  # ansible_collections/ and a namespace's package: empty files of Ansible's
                if data or not member.endswith("/__init__.py"):
                    return None
                sources[member] = None
                continue
            try:
                with open(path, "rb") as handle:
                    same = handle.read() == data
                found = os.stat(path)
            except FileNotFoundError:
                same, found = data == b"", None  # a package Ansible added an empty __init__.py for
            if not same:
                return None
            sources[member] = None if found is None else [path, found.st_size, found.st_mtime_ns]
    return sources


def _unchanged(sources, collection_folder):
    for member, source in sources.items():
        if member in ANSIBLE_STUBS:
            continue
        path = _source(member, collection_folder)
        if path is None:
            if source is None:
                continue
            return False
        try:
            found = os.stat(path)
        except FileNotFoundError:
            found = None
        if source is None:
            if found is not None:
                return False
        elif found is None or [path, found.st_size, found.st_mtime_ns] != source:
            return False
    return True


def hand_over(run_folder):
    """Give the run whose temporary folder is `run_folder` every kept payload still as its files are, once per run
    (the first process to ask does it, before any of its modules is built)."""
    cache = os.path.join(run_folder, CACHE)
    try:
        os.makedirs(cache, exist_ok=True)
        marker = os.open(os.path.join(cache, HANDED_OVER), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:  # handed over already, or no folder to hand over to
        return
    given = []
    store = _store(run_folder)
    collection_folder = _collection_folders()
    try:
        for name in os.listdir(store) if store else []:
            if not name.endswith(".sources.json"):
                continue
            payload = name[:-len(".sources.json")]
            target = os.path.join(cache, payload)
            try:
                with open(os.path.join(store, name), encoding="utf-8") as handle:
                    if not _unchanged(json.load(handle), collection_folder):
                        continue
                shutil.copyfile(os.path.join(store, payload), target + "-part")
                os.rename(target + "-part", target)  # Ansible reads a payload only once it has its name
                given.append(payload)
            except (OSError, ValueError, AttributeError, TypeError):
                continue
    finally:
        with os.fdopen(marker, "w", encoding="utf-8") as handle:
            json.dump(given, handle)


def hand_over_for_playbook(run_folder):
    """hand_over() from the playbook's main process (plugin_utils/playbook_start.py), unless HUBSPOKE_KEEP_PAYLOADS
    turns it off."""
    if boolean(os.environ.get("HUBSPOKE_KEEP_PAYLOADS", "true"), strict=False):
        hand_over(run_folder)


def keep(run_folder):
    """Keep each payload this run built and has not kept yet (not those it was given); cheap when there is none."""
    cache = os.path.join(run_folder, CACHE)
    try:
        names = os.listdir(cache)
    except OSError:
        return
    new = [n for n in names if n.startswith(KEPT_MODULES) and KEPT + n not in names and not n.endswith((".lock", "-part"))]
    if not new:
        return
    try:
        with open(os.path.join(cache, HANDED_OVER), encoding="utf-8") as handle:
            given = set(json.load(handle))
    except (OSError, ValueError):
        given = set()
    store = _store(run_folder)
    collection_folder = _collection_folders()
    for name in new:
        try:
            os.close(os.open(os.path.join(cache, KEPT + name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:  # another worker of this run is at it
            continue
        if name in given or store is None:
            continue
        _keep_one(os.path.join(cache, name), store, name, collection_folder)


def _keep_one(path, store, name, collection_folder):
    """Copy one payload of Ansible's cache into the store with the files it was built from, or leave it."""
    # pylint: disable-next=import-outside-toplevel  # Ansible's own reader of its cache files: a private name
    from ansible.executor.module_common import _CachedModule

    try:
        sources = _sources(base64.b64decode(_CachedModule.load(path).zip_data), collection_folder)
    except Exception:  # pylint: disable=broad-exception-caught  # another Ansible's format: nothing is kept
        return
    if sources is None:
        return
    target = os.path.join(store, name)
    try:
        shutil.copyfile(path, target + ".part")
        os.rename(target + ".part", target)
        with open(target + ".sources.part", "w", encoding="utf-8") as handle:
            json.dump(sources, handle)
        os.rename(target + ".sources.part", target + ".sources.json")
    except OSError:
        pass
