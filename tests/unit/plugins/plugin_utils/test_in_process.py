"""Which module runs go to the module server, that a fork runs a payload as the interpreter would, that the
server keeps to its user, and that it serves later runs only when they would import the same."""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ansible_collections.hubspoke.multicluster.plugins.plugin_utils import in_process, module_server

PYTHON = sys.executable


def payload(body):
    return ("_ANSIBALLZ_WRAPPER = True\nimport json, os, sys\n" + body).encode()


@pytest.mark.parametrize("cmd, here", [
    ("/bin/sh -c '{0} && sleep 0'".format(PYTHON), True),
    (PYTHON, True),
    ("/bin/sh -c 'FOO=bar {0} && sleep 0'".format(PYTHON), False),        # a task's environment
    ("/bin/sh -c 'sudo -H -S -n -u root /bin/sh -c {0} && sleep 0'".format(PYTHON), False),  # become
    ("/bin/sh -c '/usr/bin/python2.7 && sleep 0'", False),                 # another interpreter
    ("/bin/sh -c '{0} /tmp/AnsiballZ_x.py && sleep 0'".format(PYTHON), False),  # not pipelined
    ("/bin/sh -c 'unbalanced", False),
])
def test_only_a_plain_pipelined_run_of_this_interpreter_runs_in_process(cmd, here):
    assert in_process.runs_here(cmd, payload("")) is here


def test_a_command_without_a_module_payload_runs_as_a_command():
    assert not in_process.runs_here(PYTHON, b"print('hello')")
    assert not in_process.runs_here(PYTHON, None)


def test_the_fork_gives_stdout_stderr_and_exit_code_and_leaves_the_worker_alone(tmp_path):
    before = dict(os.environ), os.getcwd()
    rc, out, err = in_process.run(payload(
        "os.environ['LEAK'] = '1'\nos.chdir('/')\nprint(json.dumps({'cwd': os.getcwd(), 'argv': sys.argv}))\n"
        "sys.stderr.write('warned')\nsys.exit(3)"), cwd=str(tmp_path).encode())
    assert (rc, json.loads(out), err) == (3, {"cwd": "/", "argv": ["-"]}, b"warned")
    assert (dict(os.environ), os.getcwd()) == before


def test_the_module_starts_in_the_task_folder(tmp_path):
    rc, out, _err = in_process.run(payload("print(os.getcwd())"), cwd=str(tmp_path).encode())
    assert rc == 0 and out.decode().strip() == str(tmp_path)


def test_an_exception_is_a_traceback_and_exit_code_1():
    rc, out, err = in_process.run(payload("raise ValueError('boom')"))
    assert rc == 1 and out == b"" and b"ValueError: boom" in err


def test_large_output_does_not_deadlock():
    rc, out, err = in_process.run(payload("sys.stdout.write('x' * 3000000)\nsys.stderr.write('y' * 3000000)"))
    assert rc == 0 and len(out) == 3000000 and len(err) == 3000000


@pytest.fixture(name="server_folder")
def fixture_server_folder():
    """A playbook run's temporary folder (short, as pytest's are too long for a Unix socket); removing it ends the
    run's module server."""
    folder = Path(tempfile.mkdtemp(prefix="ansible-local-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def collection_paths():
    import ansible_collections.hubspoke.multicluster as collection  # pylint: disable=import-outside-toplevel

    return [str(next(iter(collection.__path__))).rsplit("/ansible_collections/", 1)[0]]


def test_the_module_server_runs_payloads_with_the_workers_environment(server_folder, monkeypatch):
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", "/the/hosts/kubeconfig")
    rc, out, _err = module_server.run_module(payload(
        "import kubernetes\nprint(json.dumps([os.environ['K8S_AUTH_KUBECONFIG'], os.getcwd(), "
        "'kubernetes' in sys.modules]))"), str(server_folder).encode(), str(server_folder), collection_paths(), 0)
    assert rc == 0 and json.loads(out) == ["/the/hosts/kubeconfig", str(server_folder), True]
    assert os.stat(server_folder / module_server.SOCKET_NAME).st_mode & 0o077 == 0  # only the user may connect


def test_a_worker_that_goes_away_takes_its_module_with_it(server_folder):
    pid_file = server_folder / "module.pid"
    conn = module_server.connect(str(server_folder), collection_paths(), 0)
    module_server._send(conn, json.dumps({"cwd": None, "env": {}}).encode(),  # pylint: disable=protected-access
                        payload("open({0!r}, 'w').write(str(os.getpid()))\nimport time\ntime.sleep(60)".format(
                            str(pid_file))))
    deadline = time.monotonic() + 10
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    module = int(pid_file.read_text())
    conn.close()  # what a task timeout does to the worker's end
    while time.monotonic() < deadline:
        try:
            os.kill(module, 0)
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError("the module outlived the worker that ran it")


def server_pid(folder):
    return int((Path(folder) / (module_server.SOCKET_NAME + ".pid")).read_text())


def wait_until_gone(pid, what):
    """The server is nobody's child here (its starter exits), so only the system can say it is gone."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.1)
    raise AssertionError(what)


def test_a_server_of_one_run_ends_with_its_folder(server_folder):
    module_server.connect(str(server_folder), collection_paths(), 0).close()
    server = server_pid(server_folder)
    shutil.rmtree(server_folder)
    wait_until_gone(server, "the module server outlived its playbook run")


@pytest.fixture(name="runs_folder")
def fixture_runs_folder():
    """Ansible's local_tmp: the folder of every run's temporary folder, where a server kept alive lives."""
    folder = Path(tempfile.mkdtemp(prefix="hs-"))
    yield folder
    for server in folder.glob("hubspoke-module-server-*"):
        try:
            os.kill(server_pid(server), 15)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def run_in(runs_folder, name, keep_alive=30):
    """The pid of the server that ran a module for a run whose temporary folder is runs_folder/name, and its
    folder."""
    run_folder = runs_folder / name
    run_folder.mkdir(exist_ok=True)
    rc, _out, _err = module_server.run_module(payload("print(1)"), None, str(run_folder), collection_paths(),
                                              keep_alive)
    assert rc == 0
    folder = module_server.server_folder(str(run_folder), collection_paths(), keep_alive)
    return server_pid(folder), folder


def test_a_server_kept_alive_serves_the_next_run_from_a_private_folder_of_its_own(runs_folder):
    first, folder = run_in(runs_folder, "ansible-local-1")
    shutil.rmtree(runs_folder / "ansible-local-1")  # the first run ends
    second, same_folder = run_in(runs_folder, "ansible-local-2")
    assert first == second and folder == same_folder
    assert Path(folder).parent == runs_folder and os.stat(folder).st_mode & 0o777 == 0o700


def test_a_run_that_would_import_something_else_gets_a_server_of_its_own(runs_folder, monkeypatch):
    first, folder = run_in(runs_folder, "ansible-local-1")
    monkeypatch.setenv("KUBECONFIG", "/another/kubeconfig")  # the kubernetes client reads it at import
    second, other_folder = run_in(runs_folder, "ansible-local-2")
    assert first != second and folder != other_folder


def test_a_folder_someone_else_may_enter_is_not_used(runs_folder):
    folder = module_server.server_folder(str(runs_folder / "ansible-local-1"), collection_paths(), 30)
    os.chmod(folder, 0o755)
    assert module_server.server_folder(str(runs_folder / "ansible-local-1"), collection_paths(), 30) == str(
        runs_folder / "ansible-local-1")


def test_a_server_kept_alive_ends_when_idle(runs_folder):
    server, folder = run_in(runs_folder, "ansible-local-1", keep_alive=1)
    wait_until_gone(server, "the module server outlived its keep-alive")
    assert not (Path(folder) / module_server.SOCKET_NAME).exists()


def test_a_pid_the_system_gave_another_program_is_no_server(runs_folder):
    (runs_folder / ("x" + ".pid")).write_text(str(os.getpid()))  # pytest: alive, and no module server
    assert not module_server._alive(str(runs_folder / "x.pid"))  # pylint: disable=protected-access


def test_a_folder_too_long_for_a_socket_means_an_interpreter(tmp_path):
    folder = tmp_path / ("x" * 120)
    folder.mkdir()
    assert module_server.run_module(payload("print(1)"), None, str(folder), collection_paths(), 0) is None
    assert not list(folder.iterdir())
