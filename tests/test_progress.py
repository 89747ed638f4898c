"""Progress: a bar on a terminal, nothing where a script or CI reads the output; the
commands that take long (seed, backup, restore) go through it."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from ideaboard import ROOT
from ideaboard.progress import on_terminal, progress_bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_saying_what_is_done_and_what_is_left():
    terminal = _Terminal()
    with progress_bar("Copying", terminal) as progress:
        progress(1, 4)
        progress(4, 4)
    drawn = terminal.getvalue()
    assert on_terminal(terminal)
    assert "Copying" in drawn and "1/4" in drawn and "25%" in drawn
    assert "4/4" in drawn and "100%" in drawn


def test_anything_else_gets_nothing_not_even_the_label():
    pipe = io.StringIO()
    with progress_bar("Copying", pipe) as progress:
        progress(1, 4)
        progress(4, 4)
    assert not on_terminal(pipe)
    assert pipe.getvalue() == ""


def _run_flask(args: list[str], app, terminal: bool) -> tuple[int, str]:
    """Run `flask --app ideaboard ARGS` on the test database, its output going to a
    pseudo-terminal or to a pipe; its exit code and what it wrote."""
    reader, writer = pty.openpty() if terminal else os.pipe()
    env = {**os.environ, "SECRET_KEY": "test-secret",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    try:
        with subprocess.Popen([sys.executable, "-m", "flask", "--app", "ideaboard", *args],
                              cwd=ROOT, env=env, stdout=writer, stderr=writer) as process:
            os.close(writer)
            written = _read_until_closed(reader)
    finally:
        os.close(reader)
    return process.returncode, written


def _read_until_closed(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the command has exited, closing the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


@pytest.mark.parametrize(("command", "label"), [
    (["seed", "--ideas", "20", "--members", "5", "--votes", "40", "--comments", "10"],
     "Seeding rows"),
    (["backup", "{tmp}/board.backup"], "Backing up"),
], ids=["seed", "backup"])
def test_commands_draw_a_bar_on_a_terminal_and_nothing_into_a_pipe(app, tmp_path: Path,
                                                                  command, label):
    command = [part.replace("{tmp}", str(tmp_path)) for part in command]
    code, drawn = _run_flask(command, app, terminal=True)
    assert code == 0, drawn
    assert label in drawn and "100%" in drawn
    (tmp_path / "board.backup").unlink(missing_ok=True)
    code, piped = _run_flask(command, app, terminal=False)
    assert code == 0, piped
    assert label not in piped and "%" not in piped
