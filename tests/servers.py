"""Throwaway services, for tests that stop, kill or flood one: never the shared instances
the rest of the suite uses."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from bench.serve import free_port


@contextmanager
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 where every connection is refused while the block runs: bound
    but not listening, so no other test (in this process or another) can take it meanwhile,
    as it could a port merely found free."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


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


POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL cluster of our own (initdb in a temporary folder, a free port), to stop
    and start at will; as the postgres user when we are root, as PostgreSQL insists."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/board"

    def run(self, tool: str, *args: str) -> None:
        command = [str(POSTGRES_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        self.run("initdb", "--no-sync", "-A", "trust", "-U", "postgres", "-D",
                 str(self.folder / "data"))
        self.start()
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute("CREATE DATABASE board")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=200")
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
                 "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A fresh cluster with an empty database `board`, removed afterwards."""
    require_tool(str(POSTGRES_BIN / "initdb"))
    folder = Path(tempfile.mkdtemp(prefix="ideaboard-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = ThrowawayPostgres(folder, free_port())
    server.create()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class SmtpServer:
    """A real SMTP server (aiosmtpd) on a free loopback port that keeps what it receives,
    and can be told to refuse recipients (`refusals`: an address, or "*" for any, and the
    reply, such as "550 No such user") or to hang up in the middle of a message."""

    port: int
    received: list[EmailMessage] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)
    hang_up: bool = False

    async def handle_RCPT(self, server, session, envelope, address, options):
        refusal = self.refusals.get(address) or self.refusals.get("*")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_up:
            server.transport.close()
            return "421 Closing"
        self.received.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    server = SmtpServer(free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (an SMTP server hung)."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@dataclass
class Received:
    """A request a WebhookReceiver took."""

    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class WebhookReceiver:
    """An HTTP server on loopback that answers every POST with `status` (after `delay`
    seconds) and keeps what it was sent."""

    url: str
    status: int
    delay: float
    received: list[Received] = field(default_factory=list)


@contextmanager
def webhook_receiver(status: int = 200, delay: float = 0.0) -> Iterator[WebhookReceiver]:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    receiver: WebhookReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.received.append(Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            time.sleep(receiver.delay)
            with contextlib.suppress(OSError):  # the client may have given up waiting
                self.send_response(receiver.status)
                self.end_headers()

        def log_message(self, *args) -> None:
            """Quiet: the test reads what was received instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = WebhookReceiver(f"http://127.0.0.1:{server.server_port}/hook", status, delay)
    with serving(server):
        yield receiver


# How often a server thread looks whether it is asked to stop: socketserver's default of
# half a second was half a second at the end of every test that served something.
STOP_POLL_SECONDS = 0.02


@contextmanager
def serving(server) -> Iterator[None]:
    """A socketserver-style server answering in a thread of its own while the block runs."""
    thread = threading.Thread(target=server.serve_forever, args=(STOP_POLL_SECONDS,),
                              name=type(server).__name__, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
