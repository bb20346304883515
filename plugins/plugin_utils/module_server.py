# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One process that has imported what cluster modules import, and forks a child per module run.

Ansible forks its workers from the playbook's main process, which has not imported the kubernetes client (a
static inventory, or AWX's, never does), so a fork of a worker would import it again for each module. The first
worker that needs one starts this server (or the inventory plugin, earlier, while ansible-playbook reads the
playbook: start_for_playbook); it imports the heavy libraries once and listens on a socket. For each module run
it forks a child that takes the worker's environment and folder and runs the payload (plugin_utils/in_process.run),
and it kills that child if the worker goes away (a task timeout).

The imports take about half a second, which the first module task of a run waited for. So the server outlives
the run that started it, as ansible-connection's persistent sockets do, for `keep_alive` seconds after its last
module: its folder is this user's, beside the runs' own temporary folders (mode 0700, checked), and named by a
digest of everything its imports depend on (the Python, its search path, the collection paths, KUBECONFIG, which
the kubernetes client reads at import, and the files that change when Ansible, kubernetes, PyYAML,
kubernetes.core or this server change), so a run finds a server only when that server imported what the run would.
With `keep_alive` 0 the server lives in the run's own temporary folder and ends with the run. Written here
because Python's own forkserver (multiprocessing) runs picklable callables, not scripts with their own
environment and standard streams.
"""

import fcntl
import importlib
import importlib.util
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

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import in_process, user_folders

SOCKET_NAME = "hubspoke-module-server.sock"
# How long a server waits for the next module after the last, across runs (the connection's in_process_keep_alive).
KEEP_ALIVE_SECONDS = 60
# A server of one run only (keep_alive 0) still ends if its run leaves it behind without removing its folder.
RUN_IDLE_SECONDS = 600
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
    """Whether the server of this pid file runs (a pid the system gave to another program since does not count)."""
    try:
        with open(pid_file, encoding="utf-8") as handle:
            pid = int(handle.read())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    try:
        with open("/proc/{0}/cmdline".format(pid), "rb") as handle:
            return b"module_server" in handle.read()
    except OSError:  # no /proc: trust the pid
        return True


MODULE_UTILS = "ansible_collections.hubspoke.multicluster.plugins.module_utils"


def _own_module_utils():
    """{dotted name: file} of this collection's module_utils, which the server imports too."""
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "module_utils")
    found = {}
    for folder, _dirs, files in os.walk(root):
        package = MODULE_UTILS if folder == root else MODULE_UTILS + "." + os.path.relpath(folder, root).replace(os.sep, ".")
        for name in files:
            if name.endswith(".py") and name != "__init__.py":
                found[package + "." + name[:-3]] = os.path.join(folder, name)
    return found


def _module_files(collection_paths):
    """The files whose change means a server imported something else than a new one would: this server's own
    code and this collection's module_utils, and a file of Ansible, kubernetes, PyYAML and kubernetes.core that an
    upgrade rewrites."""
    files = [os.path.abspath(__file__), os.path.abspath(in_process.__file__)] + sorted(_own_module_utils().values())
    for name in ("ansible.release", "kubernetes", "yaml"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        files.append(spec.origin if spec and spec.origin else name)
    for base in list(collection_paths) + [p for p in sys.path if p]:
        core = os.path.join(base, "ansible_collections", "kubernetes", "core")
        if os.path.isdir(core):
            files += [os.path.join(core, "MANIFEST.json"), os.path.join(core, "plugins/module_utils/k8s/core.py")]
            break
    return files


def _digest(collection_paths):
    """What names a server: a digest of everything its imports depend on."""
    parts = [sys.executable, [p for p in sys.path if p], list(collection_paths), os.environ.get("KUBECONFIG")]
    for path in _module_files(collection_paths):
        try:
            found = os.stat(path)
            parts.append([path, found.st_mtime_ns, found.st_size])
        except OSError:
            parts.append([path, None])
    return user_folders.digest(parts)


def server_folder(run_folder, collection_paths, keep_alive):
    """The folder of the server this run's modules use: with `keep_alive` seconds, one of this user's beside
    `run_folder` (the run's own temporary folder), which later runs that would import the same find too; with 0,
    or when that folder cannot be made private, `run_folder`, whose server ends with the run."""
    if keep_alive <= 0:
        return run_folder
    return user_folders.beside_runs(run_folder, "hubspoke-module-server-" + _digest(collection_paths)) or run_folder


def start(folder, collection_paths, keep_alive, parent=None):
    """Start a server in `folder` unless one is running or starting; returns at once. It ends `keep_alive` seconds
    after its last module, or, given `parent` (the playbook's main process), when that ends."""
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
                     "module_server.serve(args['path'], args['parent'], args['idle'])")
        args = json.dumps({"sys_path": [p for p in sys.path if p], "collection_paths": list(collection_paths),
                           "path": path, "parent": parent, "idle": keep_alive if keep_alive > 0 else RUN_IDLE_SECONDS})
        with open(os.path.join(folder, "hubspoke-module-server.log"), "wb") as log:
            subprocess.run([sys.executable, "-c", bootstrap, args], stdin=subprocess.DEVNULL, stdout=log,
                           stderr=log, start_new_session=True, close_fds=True, check=False)


def keep_alive_setting(value=None):
    """The keep-alive in seconds: `value` (the connection's option) or HUBSPOKE_IN_PROCESS_KEEP_ALIVE."""
    if value is None:
        value = os.environ.get("HUBSPOKE_IN_PROCESS_KEEP_ALIVE", KEEP_ALIVE_SECONDS)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return KEEP_ALIVE_SECONDS


def start_for_playbook(run_folder, collection_paths):
    """Start the server from the playbook's main process (plugin_utils/playbook_start.py) unless one is running
    or HUBSPOKE_IN_PROCESS turns it off, so the first task does not wait for its imports."""
    if not boolean(os.environ.get("HUBSPOKE_IN_PROCESS", "true"), strict=False):
        return
    keep_alive = keep_alive_setting()
    folder = server_folder(run_folder, collection_paths, keep_alive)
    start(folder, collection_paths, keep_alive, None if folder != run_folder else os.getpid())


def connect(folder, collection_paths, keep_alive, parent=None):
    """A connection to the server in `folder` (started if need be), or None if it cannot be had (also when the
    folder's path is too long for a Unix socket)."""
    path = _socket_path(folder)
    if path is None:
        return None
    conn = _connect(path)
    if conn:
        return conn
    start(folder, collection_paths, keep_alive, parent)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and _alive(path + ".pid"):
        conn = _connect(path)
        if conn:
            return conn
        time.sleep(0.02)
    return None


def run_module(payload, cwd, run_folder, collection_paths, keep_alive=KEEP_ALIVE_SECONDS):
    """(rc, stdout, stderr) of a module payload run by the server this run uses (started if need be), or None when
    no server can be had (the caller then starts an interpreter). `run_folder` is the run's temporary folder."""
    folder = server_folder(run_folder, collection_paths, keep_alive)
    # A server of this run alone ends with the playbook's main process, the worker's parent.
    conn = connect(folder, collection_paths, keep_alive, None if folder != run_folder else os.getppid())
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
    import ssl
    import kubernetes.client  # noqa: F401
    import kubernetes.dynamic  # noqa: F401
    import yaml  # noqa: F401
    from ansible.module_utils import _internal, basic  # noqa: F401
    try:
        from ansible_collections.kubernetes.core.plugins.module_utils.k8s import core, runner, service  # noqa: F401
    except ImportError:
        pass
    # kubernetes.core's modules look for their optional libraries at start (gather_versions()): an import each,
    # about 4 ms a module run for jsonpatch where it is installed.
    for optional in ("jsonpatch", "kubernetes_validate"):
        try:
            importlib.import_module(optional)
        except ImportError:
            pass
    # OpenSSL 3 sets up its providers and algorithms in a process's first SSL context (about 6 ms); a fork of a
    # process that made one builds each client's context in under one.
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # A fork then compiles none of this collection's module_utils from its payload (tens of milliseconds a module).
    for name in _own_module_utils():
        try:
            importlib.import_module(name)
        except Exception:  # pylint: disable=broad-exception-caught  # the payload imports it again, and says why
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


def _accept(server):
    """Take one waiting module run, in a fork of this process; False when none waits."""
    try:
        conn, _address = server.accept()
    except BlockingIOError:
        return False
    conn.setblocking(True)
    uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
    if uid == os.getuid() and os.fork() == 0:
        server.close()
        try:
            _handle(conn)
        finally:
            os._exit(0)  # pylint: disable=protected-access
    conn.close()
    return True


def serve(path, parent, idle):
    """Listen on `path` until `idle` seconds pass without a module, its folder goes, or process `parent` (a
    playbook run whose server this is alone) ends."""
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
    bound = os.stat(path).st_ino
    server.listen(64)
    server.setblocking(False)
    idle_since = time.monotonic()
    with selectors.DefaultSelector() as selector:
        selector.register(server, selectors.EVENT_READ)
        while os.path.isdir(os.path.dirname(path)) and time.monotonic() - idle_since < idle:
            if parent:
                try:
                    os.kill(parent, 0)
                except OSError:
                    break
            if selector.select(timeout=1) and _accept(server):
                idle_since = time.monotonic()
    # No new worker finds the socket once it is gone; one that connected just before is still served.
    try:
        if os.stat(path).st_ino == bound:  # a server started since binds its own socket at this path
            os.unlink(path)
    except OSError:
        pass
    while _accept(server):
        pass
    server.close()
