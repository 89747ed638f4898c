"""Throwaway services, for tests that stop, kill or flood one: never the shared instances
the rest of the suite uses."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.serve import free_port


def require_tool(path_or_name: str) -> str:
    """The tool's path; a skip on a laptop without it, a failure in CI (which installs it)."""
    found = shutil.which(path_or_name)
    if found is None:
        message = f"needs {path_or_name}"
        if os.environ.get("CI"):
            pytest.fail(message + ": .ci/run should install it")
        pytest.skip(message)
    return found


def _wait_for(ready, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up in {timeout} s")
        time.sleep(0.05)


@dataclass
class ThrowawayRedis:
    """A redis-server of our own on a free port, with nothing on disk."""

    folder: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [require_tool("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self._answers, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()


@contextmanager
def throwaway_redis(folder: Path) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(folder, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
