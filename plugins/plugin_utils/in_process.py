# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a pipelined AnsiballZ module payload in a fork of this process, as `python -` would run it.

A cluster host's modules run on the controller, with the controller's Python. Started as a new interpreter,
each imports Python, Ansible's module_utils, the kubernetes client and kubernetes.core again (about a second of
CPU per cluster and task), which made a task over a fleet slower than a shell loop over kubectl. A fork of a
process that has imported them (the module server, plugin_utils/module_server.py) runs the very same payload
without that cost: its arguments (check mode, diff, no_log...) and its JSON result are those of the interpreter
run, and the fork keeps whatever the module does to its process (globals, environment, working directory) to
itself. Anything that is not a plain run of this interpreter (become, a task `environment`, async, another
Python) is left to run as a command. No maintained library does this: kubernetes.core's turbo mode, the
nearest thing, does not work with ansible-core 2.19.
"""

import os
import selectors
import shlex
import signal
import sys

MARKER = b"_ANSIBALLZ_WRAPPER = True"
SHELLS = {"sh", "bash", "dash", "zsh"}


def _interpreter_only(cmd):
    """The interpreter `cmd` runs with nothing around it, or None: `/bin/sh -c '<python> && sleep 0'` as
    Ansible builds a pipelined module run, or the bare `<python>`."""
    try:
        words = shlex.split(cmd)
        if len(words) == 3 and os.path.basename(words[0]) in SHELLS and words[1] == "-c":
            words = shlex.split(words[2])
    except ValueError:
        return None
    if words[1:] in ([], ["&&", "sleep", "0"]):
        return words[0]
    return None


def runs_here(cmd, in_data):
    """Whether `cmd` with `in_data` is a pipelined module run by this very interpreter."""
    if not in_data or MARKER not in in_data[:16384]:
        return False
    interpreter = _interpreter_only(cmd)
    return bool(interpreter) and os.path.realpath(interpreter) == os.path.realpath(sys.executable)


def _child(in_data, cwd, out_fd, err_fd):
    """In the fork: run the payload as `python -` would, with stdout and stderr on the pipes."""
    rc = 1
    try:
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        sys.stdin = open(os.devnull, encoding="utf-8")  # pylint: disable=consider-using-with
        sys.stdout = os.fdopen(1, "w", encoding="utf-8", errors="surrogateescape", closefd=False)
        sys.stderr = os.fdopen(2, "w", encoding="utf-8", errors="surrogateescape", closefd=False)
        sys.argv = ["-"]
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # a task timeout is the worker's, not the module's
        if cwd:
            os.chdir(cwd)
        try:
            exec(compile(in_data, "<stdin>", "exec"), {"__name__": "__main__"})  # pylint: disable=exec-used
            rc = 0
        except SystemExit as done:
            rc = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # pylint: disable=broad-exception-caught  # reported as the interpreter would
        import traceback  # pylint: disable=import-outside-toplevel

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # pylint: disable=broad-exception-caught
                pass
        os._exit(rc)  # pylint: disable=protected-access  # no cleanup of the parent's state in the fork


def run(in_data, cwd=None, abandoned=None):
    """(rc, stdout, stderr) of the payload run in a fork of this process; the fork is killed if this process is
    interrupted or the socket `abandoned` closes (the worker that asked went away: a task timeout)."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        os.close(err_r)
        _child(in_data, cwd, out_w, err_w)
    os.close(out_w)
    os.close(err_w)
    chunks = {out_r: [], err_r: []}
    try:
        with selectors.DefaultSelector() as selector:
            for fd in chunks:
                selector.register(fd, selectors.EVENT_READ)
            if abandoned is not None:
                selector.register(abandoned, selectors.EVENT_READ)
            while len(selector.get_map()) > (abandoned is not None):
                for key, _events in selector.select():
                    if key.fileobj is abandoned:
                        return 1, b"", b"the worker went away"  # the finally kills the fork
                    data = os.read(key.fd, 65536)
                    if data:
                        chunks[key.fd].append(data)
                    else:
                        selector.unregister(key.fd)
        _pid, status = os.waitpid(pid, 0)
        pid = None
    finally:
        if pid:  # interrupted: the module must not outlive its task
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(out_r)
        os.close(err_r)
    return os.waitstatus_to_exitcode(status), b"".join(chunks[out_r]), b"".join(chunks[err_r])
