"""Backing up the whole database, and restoring a backup in place of the board.

SQLite: the online backup API copies the live database (WAL) to one self-contained file
while the app goes on serving and writing; a restore copies a backup back into the live
file the same way, so SQLite itself takes care of open connections and the WAL.
PostgreSQL: `pg_dump --format=custom`, and `pg_restore` in one transaction.

Either way a restore then raises the board's generation past both the one the database had
and the one restored, so no worker goes on serving a page it cached before.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from ideaboard.services import pg_client

if TYPE_CHECKING:
    from ideaboard.progress import Progress

# What members make; init-db fills only categories, board_state and alembic_version.
BOARD_TABLES = ("users", "ideas", "votes", "comments")
BACKUP_TABLES = (*BOARD_TABLES, "categories", "board_state", "alembic_version")
SQLITE_MAGIC = b"SQLite format 3\x00"
PAGES_PER_STEP = 1024  # 4 MB at the default page size: a step of progress
_READ = "SELECT generation FROM board_state WHERE id = 1"
_ADVANCE = ("UPDATE board_state SET generation ="
            " CASE WHEN generation > :floor THEN generation ELSE :floor END + 1 WHERE id = 1")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the operator why."""


class BoardNotEmpty(BackupError):
    """The database already holds a board that a restore would replace."""

    def __init__(self, tables: list[str]) -> None:
        super().__init__(f"The database already holds a board (rows in {', '.join(tables)}); "
                         "--force replaces it with the backup.")


def write_backup(engine: Engine, path: Path, progress: Progress, *,
                 replace: bool = False) -> None:
    """Write a consistent copy of the database to `path`, whole or not at all; an existing
    file is replaced only if `replace`."""
    with _new_file(path, replace) as partial, _told("Could not back up"):
        if engine.dialect.name == "sqlite":
            _sqlite_backup(_sqlite_file(engine, path), partial, progress)
        else:
            pg_client.dump(engine.url, partial, _table_count(engine), progress)


def restore_backup(engine: Engine, path: Path, progress: Progress, *,
                   replace_board: bool = False) -> None:
    """Replace everything in the database with the backup at `path` (refused if members
    have written anything, unless `replace_board`); then dispose of the engine's
    connections and raise the generation past the old and the restored one."""
    sqlite = engine.dialect.name == "sqlite"
    (_check_sqlite_backup if sqlite else _check_archive)(path)
    if not replace_board and (filled := tables_with_rows(engine)):
        raise BoardNotEmpty(filled)
    before = generation(engine)
    with _told("Could not restore (the database is as it was)"):
        if sqlite:
            _sqlite_restore(path, _sqlite_file(engine, path), progress)
        else:
            pg_client.restore(engine.url, path, progress)
    engine.dispose()
    _advance_generation(engine, before)


def tables_with_rows(engine: Engine) -> list[str]:
    """The BOARD_TABLES that exist and hold at least one row."""
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        return [name for name in BOARD_TABLES if name in present
                and connection.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first()]


def generation(engine: Engine) -> int:
    """The board's generation, 0 where there is no board yet."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("board_state"):
            return 0
        return connection.execute(text(_READ)).scalar() or 0


def _advance_generation(engine: Engine, before: int) -> None:
    """Past `before` and past the restored value (now in the row), in one statement, so a
    writer committing meanwhile only moves it further.

    Not covered, as neither tool lets us read and restore under one lock: a writer that
    commits between the read of `before` and the restore taking its locks (its generation
    may be handed out again), and a reader in the moment between the restore's commit and
    this one (it sees the restored generation). Restoring over a board in use, stop the
    writers first."""
    with engine.begin() as connection:
        connection.execute(text(_ADVANCE), {"floor": before})


@contextmanager
def _new_file(path: Path, replace: bool) -> Iterator[Path]:
    """A temporary file beside `path` to write, moved onto `path` once written (so a failed
    or interrupted backup never leaves a partial file under the backup's name)."""
    if path.exists() and not replace:
        raise BackupError(f"{path} already exists; --force replaces it.")
    try:
        # mkstemp makes it readable by its owner only: a backup holds emails and hashes.
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                        dir=path.parent)
    except OSError as error:
        raise BackupError(f"Cannot write beside {path}: {error.strerror}.") from error
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_file(engine: Engine, backup: Path) -> str:
    """The database's file, which the backup's must not be."""
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory, not in a file.")
    if backup.resolve() == Path(database).resolve():
        raise BackupError(f"{backup} is the database itself.")
    return database


def _sqlite_backup(database: str, target: Path, progress: Progress) -> None:
    live = f"{Path(database).resolve().as_uri()}?mode=rw"  # never create a missing one
    with closing(sqlite3.connect(live, uri=True, timeout=30, isolation_level=None)) as source:
        # One read transaction for all the steps: the copy is the database as the first
        # step found it, while writers go on (WAL). Without it each step reads afresh, and
        # any commit between two steps starts the copy over: a busy board might never let
        # it finish.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master")
        with closing(sqlite3.connect(target)) as copy:
            source.backup(copy, pages=PAGES_PER_STEP, progress=_pages(progress))
            # The copy comes out in WAL mode, as the source is; in rollback mode it stays
            # one file, opened read-only without making -wal and -shm files beside it.
            copy.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(path: Path, database: str, progress: Progress) -> None:
    """Copy into the live file in one write transaction: readers see the old board until
    it commits, the restored one after; writers wait for it."""
    with closing(_read_only(path)) as source, \
            closing(sqlite3.connect(database, timeout=30, isolation_level=None)) as live:
        source.backup(live, pages=PAGES_PER_STEP, progress=_pages(progress))


def _check_sqlite_backup(path: Path) -> None:
    """Refuse anything but an SQLite file holding an Ideaboard database."""
    header = _header(path, len(SQLITE_MAGIC))
    if header.startswith(pg_client.ARCHIVE_MAGIC):
        raise BackupError(f"{path} is a pg_dump archive: it restores into PostgreSQL, and "
                          "this board runs on SQLite.")
    if header != SQLITE_MAGIC:
        raise BackupError(f"{path} is not an SQLite backup.")
    with _told(f"{path} is not a readable SQLite database"), closing(_read_only(path)) as source:
        tables = {row[0] for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    _require_tables(path, tables)


def _check_archive(path: Path) -> None:
    """Refuse anything but a pg_dump archive holding an Ideaboard database."""
    header = _header(path, len(SQLITE_MAGIC))
    if header == SQLITE_MAGIC:
        raise BackupError(f"{path} is an SQLite backup: it restores into SQLite, and this "
                          "board runs on PostgreSQL.")
    if not header.startswith(pg_client.ARCHIVE_MAGIC):
        raise BackupError(f"{path} is not a pg_dump archive (custom format).")
    with _told(f"{path} is not a readable archive"):
        entries = [entry.split() for entry in pg_client.archive_entries(path)]
    _require_tables(path, {entry[6] for entry in entries
                           if entry[3:6] == ["TABLE", "DATA", "public"]})


def _require_tables(path: Path, tables: set[str]) -> None:
    if missing := [name for name in BACKUP_TABLES if name not in tables]:
        raise BackupError(f"{path} is not an Ideaboard backup (no {', '.join(missing)} table).")


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


@contextmanager
def _told(what: str) -> Iterator[None]:
    """An error of SQLite or of PostgreSQL's programs, as a BackupError saying `what`."""
    try:
        yield
    except (sqlite3.Error, pg_client.ClientProgramError) as error:
        raise BackupError(f"{what}: {error}") from error


def _header(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(size)
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error


def _pages(progress: Progress) -> Callable[[int, int, int], None]:
    """Connection.backup's callback, as a Progress in pages."""
    return lambda _status, remaining, total: progress(total - remaining, total)


def _table_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return len(inspect(connection).get_table_names())

