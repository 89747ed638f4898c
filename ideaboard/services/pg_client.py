"""PostgreSQL's client programs (pg_dump, pg_restore) run against the app's database: the
connection comes from its SQLAlchemy URL, progress from their --verbose messages."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL

if TYPE_CHECKING:
    from ideaboard.progress import Progress

ARCHIVE_MAGIC = b"PGDMP"  # how a custom-format archive begins
# A step of progress: a table dumped, or an archive entry (table, data, index, ...) restored.
_DUMP_STEP = re.compile(r"pg_dump: dumping contents of table ")
_RESTORE_STEP = re.compile(r"pg_restore: (creating|processing data for|executing) ")
# --clean --if-exists: pg_restore drops what the archive holds inside its one transaction,
# so a restore that fails (a damaged archive, a full disk) rolls back to the untouched board,
# and readers see the old board until the commit. Dropping the public schema ourselves would
# be a transaction of its own, leaving an empty database if pg_restore then failed. The
# price: an object the archive does not hold (from a later migration) that depends on one it
# drops stops the restore, with nothing changed and the object named in the message.
_RESTORE = ("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            "--exit-on-error", "--verbose")


class ClientProgramError(Exception):
    """pg_dump or pg_restore is missing, or failed; the message says what it said."""


def dump(url: URL, target: Path, tables: int, progress: Progress) -> None:
    """Write the whole database at `url` to `target` as a custom-format archive; a step of
    progress for each of its `tables`."""
    options, env = libpq_options(url)
    _run(["pg_dump", "--format=custom", "--verbose", f"--file={target}", *options], env,
         _DUMP_STEP, tables, progress)


def restore(url: URL, archive: Path, progress: Progress) -> None:
    """Replace what `archive` holds in the database at `url` with the archive's, all in one
    transaction; a step of progress for each of its entries."""
    options, env = libpq_options(url)
    _run([*_RESTORE, *options, str(archive)], env, _RESTORE_STEP,
         len(archive_entries(archive)), progress)


def libpq_options(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options and environment for the database at `url`; the password goes in
    the environment (PGPASSWORD), never on the command line where `ps` shows it."""
    options = [f"--{flag}={value}" for flag, value in
               (("host", url.host), ("port", url.port), ("username", url.username)) if value]
    # As a libpq connection string: query parameters (sslmode, ...) come along, and no
    # database name is taken for a connection string.
    params = {"dbname": url.database} if url.database else {}
    params.update({key: value if isinstance(value, str) else value[-1]
                   for key, value in url.query.items()})
    if params:
        options.append("--dbname=" + " ".join(f"{key}={_quoted(value)}"
                                              for key, value in params.items()))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return options, env


def archive_entries(path: Path) -> list[str]:
    """The archive's table of contents (pg_restore --list), one line an entry, such as
    `3418; 0 23419 TABLE DATA public users postgres`."""
    try:
        listed = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True,
                                text=True, errors="replace")
    except FileNotFoundError as error:
        raise _not_installed("pg_restore") from error
    if listed.returncode != 0:
        raise ClientProgramError(f"pg_restore cannot read {path}: {listed.stderr.strip()}")
    return [line for line in listed.stdout.splitlines() if line and not line.startswith(";")]


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _run(command: list[str], env: dict[str, str], step: re.Pattern, total: int,
         progress: Progress) -> None:
    """Run the program; each line of its messages matching `step` is a step of progress,
    and the rest (its errors, the failed command) is kept for the message if it fails."""
    tool, said, done = command[0], [], 0
    try:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, errors="replace")
    except FileNotFoundError as error:
        raise _not_installed(tool) from error
    with process:
        for line in process.stderr:
            if step.match(line):
                done += 1
                progress(min(done, total), total)
            elif not line.startswith(f"{tool}: ") or "error" in line or "warning" in line:
                said.append(line.rstrip())
    if process.returncode != 0:
        raise ClientProgramError(f"{tool} failed:\n" + "\n".join(said[-8:]))
    progress(total, total)


def _not_installed(tool: str) -> ClientProgramError:
    return ClientProgramError(f"{tool} is not installed (or not on PATH): it comes with "
                              "PostgreSQL's client programs, of the server's version or newer.")
