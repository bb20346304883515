"""Start, find and stop the fleet's processes by pid file, so `down` stops exactly what `up` started."""

import os
import signal
import subprocess
import time
from pathlib import Path


def _pid(pid_file: Path):
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def running(pid_file: Path, executable: Path):
    """The pid in pid_file if that process is alive and still runs `executable` (pids get reused)."""
    pid = _pid(pid_file)
    if pid is None:
        return None
    try:
        # /proc/<pid>/exe is gone for zombies and names the real binary, unlike an argv[0].
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None
    return pid if exe == str(Path(executable).resolve()) else None


def start(argv, pid_file: Path, log_file: Path, env=None):
    """Start argv detached from our session (it outlives the CLI) unless it is already running."""
    pid = running(pid_file, Path(argv[0]))
    if pid:
        return pid
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    pid_file.write_text(f"{proc.pid}\n")
    # Popen returns once the child has called exec, but /proc may show the old image for an instant.
    deadline = time.monotonic() + 5
    while not running(pid_file, Path(argv[0])) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return proc.pid


def stop(pid_file: Path, executable: Path, timeout=15):
    """SIGTERM, then SIGKILL after `timeout` seconds. Returns True if something was stopped."""
    pid = running(pid_file, executable)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running(pid_file, executable):
        _reap(pid)
        time.sleep(0.1)
    if running(pid_file, executable):
        os.kill(pid, signal.SIGKILL)
        while running(pid_file, executable):
            _reap(pid)
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)
    return True


def _reap(pid):
    """Collect the exit status if the process is our own child (it is when tests start the fleet)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


class ProcessGroup:
    """The processes of one fleet member: each component has a pid file and a log under the member's
    folder (`self.dir`), and runs the binary `_binary(component)` names."""

    components = ()

    def _binary(self, component):
        raise NotImplementedError

    def _pid_file(self, component):
        return self.dir / "run" / f"{component}.pid"

    def _log_file(self, component):
        return self.dir / "logs" / f"{component}.log"

    def pid(self, component):
        return running(self._pid_file(component), self._binary(component))

    def held(self):
        """Whether `stop(hold=True)` took this member down: it stays down until its `up` runs."""
        return (self.dir / "held").exists()

    def release(self):
        """Called by `up`: the member is wanted again."""
        (self.dir / "held").unlink(missing_ok=True)

    def plane_status(self, name, server, version):
        """fleet-status's row for a member with no nodes of its own: up, partial or down, and its memory."""
        pids = [self.pid(c) for c in self.components]
        state = "up" if all(pids) else ("partial" if any(pids) else "down")
        return {"cluster": name, "server": server, "version": version, "nodes_ready": "-", "state": state,
                "rss_mib": sum(rss_bytes(p) for p in pids if p) // 2**20, "service_cidr": "-", "pod_cidr": "-"}

    def stop(self, hold=False):
        """Stop every component, last started first (data stays, so `up` brings them back as they were)."""
        stopped = False
        for component in reversed(self.components):
            stopped |= stop(self._pid_file(component), self._binary(component))
        if hold and self.dir.is_dir():
            (self.dir / "held").touch()
        return stopped


def rss_bytes(pid):
    """Resident memory of one process, for fleet-status and the benchmarks."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
