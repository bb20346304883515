# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One process per playbook run that has imported what cluster modules import, and forks a child per module run.

Ansible forks its workers from the playbook's main process, which has not imported the kubernetes client (a
static inventory, or AWX's, never does), so a fork of a worker would import it again for each module. The first
worker that needs one starts this server (or the inventory plugin, earlier, while ansible-playbook reads the
playbook: start_for_playbook); it imports the heavy libraries once and listens on a socket in the
playbook run's own temporary folder (mode 0700, removed when the run ends). For each module run it forks a child
that takes the worker's environment and folder and runs the payload (plugin_utils/in_process.run), and it
kills that child if the worker goes away (a task timeout). The server ends with the playbook run, or after
IDLE_SECONDS without a request. Written here because Python's own forkserver (multiprocessing) runs
picklable callables, not scripts with their own environment and standard streams.
"""

import fcntl
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import in_process

SOCKET_NAME = "hubspoke-module-server.sock"
IDLE_SECONDS = 600
START_SECONDS = 30
MAX_SOCKET_PATH = 107  # sun_path is 108 bytes on Linux, with its NUL
_LENGTH = struct.Struct("!Q")


def _send(conn, *parts):
    for part in parts:
        conn.sendall(_LENGTH.pack(len(part)) + part)


def _receive(conn, count):
    parts = []
    for _index in range(count):
        size = _LENGTH.unpack(_read_exactly(conn, _LENGTH.size))[0]
        parts.append(_read_exactly(conn, size))
    return parts


def _read_exactly(conn, size):
    data = bytearray()
    while len(data) < size:
        chunk = conn.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise ConnectionError("the other side closed the connection")
        data += chunk
    return bytes(data)


# -- the worker's side ------------------------------------------------------------------------------------------

def _connect(path):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    return conn


def _socket_path(folder):
    """The server's socket in `folder`, or None when that path is too long for a Unix socket."""
    path = os.path.join(folder, SOCKET_NAME)
    return path if len(os.fsencode(path)) <= MAX_SOCKET_PATH else None


def _alive(pid_file):
    try:
        with open(pid_file, encoding="utf-8") as handle:
            os.kill(int(handle.read()), 0)
        return True
    except (OSError, ValueError):
        return False


def start(folder, collection_paths, parent):
    """Start this run's server in `folder` unless it is running or starting; returns at once. `parent` is the
    playbook's main process, whose end ends the server."""
    path = _socket_path(folder)
    if path is None:
        return
    with open(path + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process starts it
        if _alive(path + ".pid"):
            return
        # The starter forks the server and exits, writing its pid: the server is nobody's child (no zombie for
        # _alive to mistake for a server) and survives the worker that started it. Collections are imported as
        # the namespace packages they are on disk, in the order Ansible searches them: Ansible's own collection
        # loader is controller code, and a process that imports any controller code is no place to run modules.
        bootstrap = ("import os, sys, json; args = json.loads(sys.argv[1]); pid = os.fork()\n"
                     "if pid:\n    open(args['path'] + '.pid', 'w').write(str(pid)); os._exit(0)\n"
                     "sys.path[:0] = args['collection_paths'] + args['sys_path']\n"
                     "from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import module_server\n"
                     "module_server.serve(args['path'], args['parent'])")
        args = json.dumps({"sys_path": [p for p in sys.path if p], "collection_paths": list(collection_paths),
                           "path": path, "parent": parent})
        with open(os.path.join(folder, "hubspoke-module-server.log"), "ab") as log:
            subprocess.run([sys.executable, "-c", bootstrap, args], stdin=subprocess.DEVNULL, stdout=log,
                           stderr=log, start_new_session=True, close_fds=True, check=False)


def start_for_playbook(folder, collection_paths):
    """Start the server now when this process is ansible-playbook, so the first task does not wait for its imports
    (ansible-inventory, and Python that reads an inventory, run no module)."""
    if os.path.basename(sys.argv[0]) != "ansible-playbook":
        return
    if not boolean(os.environ.get("HUBSPOKE_IN_PROCESS", "true"), strict=False):
        return
    start(folder, collection_paths, os.getpid())


def connect(folder, collection_paths):
    """A connection to this run's server in `folder` (started if need be), or None if it cannot be had (also when
    the folder's path is too long for a Unix socket)."""
    path = _socket_path(folder)
    if path is None:
        return None
    conn = _connect(path)
    if conn:
        return conn
    start(folder, collection_paths, os.getppid())
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and _alive(path + ".pid"):
        conn = _connect(path)
        if conn:
            return conn
        time.sleep(0.02)
    return None


def run_module(payload, cwd, folder, collection_paths):
    """(rc, stdout, stderr) of a module payload run by this playbook run's server in `folder` (started if need be),
    or None when no server can be had (the caller then starts an interpreter)."""
    conn = connect(folder, collection_paths)
    if conn is None:
        return None
    return request(conn, payload, cwd, os.environ)


def request(conn, payload, cwd, environ):
    """(rc, stdout, stderr) of `payload` run by the server with this environment and folder."""
    with conn:
        header = json.dumps({"cwd": os.fsdecode(cwd) if cwd else None, "env": dict(environ)}).encode()
        _send(conn, header, payload)
        status, out, err = _receive(conn, 3)
    return json.loads(status)["rc"], out, err


# -- the server -------------------------------------------------------------------------------------------------

def _preload():
    """Import what cluster modules import; False if that made this process an Ansible controller, whose
    module_utils report warnings to the controller's display and serialize results differently."""
    # pylint: disable=import-outside-toplevel,unused-import
    import kubernetes.client  # noqa: F401
    import kubernetes.dynamic  # noqa: F401
    import yaml  # noqa: F401
    from ansible.module_utils import _internal, basic  # noqa: F401
    try:
        from ansible_collections.kubernetes.core.plugins.module_utils.k8s import core, runner, service  # noqa: F401
    except ImportError:
        pass
    return not _internal.is_controller


def _handle(conn):
    """In a fork of the server: one module run, ended early if the worker goes away."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    header, payload = _receive(conn, 2)
    request_ = json.loads(header)
    os.environ.clear()
    os.environ.update(request_["env"])
    rc, out, err = in_process.run(payload, request_["cwd"], abandoned=conn)
    _send(conn, json.dumps({"rc": rc}).encode(), out, err)


def serve(path, parent):
    """Listen on `path` until the playbook run (process `parent`) ends or IDLE_SECONDS pass without a request."""
    if not _preload():
        sys.exit("hubspoke module server: an import made this process a controller; modules run in interpreters")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # handlers are reaped by the kernel
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o077)
    try:
        if os.path.exists(path):
            os.unlink(path)
        server.bind(path)
    finally:
        os.umask(old_mask)
    server.listen(64)
    idle_since = time.monotonic()
    with selectors.DefaultSelector() as selector:
        selector.register(server, selectors.EVENT_READ)
        while os.path.isdir(os.path.dirname(path)) and time.monotonic() - idle_since < IDLE_SECONDS:
            try:
                os.kill(parent, 0)
            except OSError:
                break
            if not selector.select(timeout=1):
                continue
            conn, _address = server.accept()
            idle_since = time.monotonic()
            uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
            if uid != os.getuid():
                conn.close()
                continue
            if os.fork() == 0:
                server.close()
                try:
                    _handle(conn)
                finally:
                    os._exit(0)  # pylint: disable=protected-access
            conn.close()
    server.close()
    try:
        os.unlink(path)
    except OSError:
        pass
