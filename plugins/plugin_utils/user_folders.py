# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Folders of this user's that outlive a playbook run: the module server's and the kept module payloads.

They sit beside the runs' own temporary folders (Ansible's local_tmp, ~/.ansible/tmp by default), where
Ansible keeps what is private to a run, and are used only while nobody else may enter them: what they hold is
code the controller runs, and a socket that runs it.
"""

import hashlib
import json
import os
import stat


def digest(parts):
    """A short name for a JSON-able description of what a folder's content depends on."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def private_folder(path):
    """Whether `path` is (now) a folder of this user's that nobody else may enter; made if missing."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    found = os.lstat(path)
    return stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077


def beside_runs(run_folder, name):
    """The private folder `name` beside the run's temporary folder `run_folder`, or None when it cannot be had."""
    folder = os.path.join(os.path.dirname(os.path.normpath(run_folder)), name)
    return folder if private_folder(folder) else None
