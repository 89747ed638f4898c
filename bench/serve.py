"""gunicorn for the benchmark: start on a free port, wait until it answers, measure, stop."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30


@dataclass
class Server:
    """A running gunicorn master; peak_rss_mb is filled in just before it stops."""

    name: str
    url: str
    command: list[str]
    log: Path
    process: subprocess.Popen
    peak_rss_mb: float | None = None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(app: str, port: int, workers: int, gunicorn: str = GUNICORN) -> list[str]:
    """`gunicorn -w <workers> -b 127.0.0.1:<port> <app>`: sync workers, defaults otherwise."""
    return [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", app]


def _answers(url: str) -> bool:
    """Does anything answer HTTP at `url`?"""
    try:
        with urllib.request.urlopen(url, timeout=10):
            return True
    except urllib.error.HTTPError:
        return True  # it answered, even if not with 200
    except OSError:
        return False


def _wait_until_up(server: Server) -> None:
    """Poll until the server answers; raise with its log if it dies or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn ({server.name}) exited; see {server.log}:\n"
                               + server.log.read_text()[-3000:])
        if _answers(server.url + "/"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn ({server.name}) did not answer in {START_TIMEOUT_S} s")


def _children(pid: int) -> list[int]:
    """Child process ids, from /proc/<pid>/task/*/children or else every /proc/*/stat."""
    listed = list(Path(f"/proc/{pid}/task").glob("*/children"))
    if listed:
        return [int(c) for f in listed for c in f.read_text().split()]
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text()
            ppid = int(fields[fields.rindex(")") + 2:].split()[1])
            if ppid == pid:
                children.append(int(stat.parent.name))
    return children


def _peak_rss_kb(pid: int) -> int:
    """VmHWM (peak resident set size) of a process, in kB; 0 if it is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def peak_worker_rss_mb(master: int) -> float | None:
    """The largest VmHWM among the master's workers, in MB."""
    peaks = [_peak_rss_kb(child) for child in _children(master)]
    return max(peaks) / 1024 if any(peaks) else None


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful stop), then wait; SIGKILL only if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def serve(name: str, app: str, cwd: Path, env: dict[str, str], workers: int,
          log_dir: Path, gunicorn: str = GUNICORN) -> Iterator[Server]:
    """Run `app` under gunicorn with exactly `env` until the block ends; log in log_dir."""
    port = free_port()
    cmd = gunicorn_command(app, port, workers, gunicorn)
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
        server = Server(name, f"http://127.0.0.1:{port}", cmd, log, process)
        try:
            _wait_until_up(server)
            yield server
        finally:
            server.peak_rss_mb = peak_worker_rss_mb(process.pid)
            _stop(process)
