"""Per-connection tuning for the databases we support, and the driver connections kept
aside for the hottest statements."""

from __future__ import annotations

import fcntl
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import Engine, event, text

from ideaboard.extensions import db


def _tune_sqlite(cache_kib: int, dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
    cursor.close()


def tune_connections(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", partial(_tune_sqlite, app.config["SQLITE_CACHE_KIB"]))


# For a bulk load on SQLite: its indexes' pages stay cached while rows go in.
BULK_CACHE_KIB = 64 * 1024


def cache_for_bulk_load() -> None:
    """Give this session's SQLite connection a large page cache (it stays with the
    connection: meant for command-line loads, not for a serving worker)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text(f"PRAGMA cache_size=-{BULK_CACHE_KIB}"))


T = TypeVar("T")

_HOT_KEY = "ideaboard.hot_connections"


class HotConnections:
    """The statements every request makes (the generation, who is signed in, which buttons
    they pressed) and the busiest write (a vote), run on a few driver connections kept
    aside for them.

    They skip the ORM session and the pool's checkout and reset: a primary-key read costs
    3 µs on SQLite and 30 to 100 µs on PostgreSQL this way (the machine's moment), against
    100 and 250 through the session. Reads run in autocommit; `in_transaction()` runs a few
    statements as one transaction. SQL is written with `:name` parameters, as SQLite's
    driver takes them.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        self._writer_lock_path = _writer_lock_path(engine)
        self._idle: list = []
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    @property
    def dialect(self) -> str:
        return self._dialect

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        """All rows of `sql`, in autocommit. A statement that fails is sent once more on a
        fresh connection (after a database restart every idle one is broken), so a write
        sent here must be safe to repeat."""
        try:
            return self._run(sql, params)
        except self._engine.dialect.loaded_dbapi.Error:
            self.close()  # say, after a database restart: every idle connection is broken
            return self._run(sql, params)

    def _run(self, sql: str, params: dict[str, Any] | None) -> list[tuple]:
        with self._slot() as slot:
            if params is None:
                slot.cursor.execute(sql)
            else:
                slot.cursor.execute(_driver_sql(sql, self._dialect),
                                    _driver_params(params, self._dialect))
            return slot.cursor.fetchall()

    def in_transaction(self, work: Callable[[HotTransaction], T]) -> T:
        """`work(transaction)` in one write transaction: committed when it returns, rolled
        back if it raises.

        If a database error strikes before the commit was sent (most often a connection the
        database dropped when it restarted), nothing was written, so the whole transaction
        runs once more on a fresh connection; a second error is raised as it is.
        """
        try:
            return self._run_transaction(work)
        except _UncommittedBreak as broken:
            self.close()  # every idle connection is likely as broken
            try:
                return self._run_transaction(work)
            except _UncommittedBreak as again:
                raise again.error from broken.error

    def _run_transaction(self, work: Callable[[HotTransaction], T]) -> T:
        """On SQLite the transaction starts with BEGIN IMMEDIATE under a lock file that
        every writing process shares: a writer that has to wait sleeps in flock() and wakes
        the moment the lock is free, instead of in SQLite's busy handler, which sleeps a
        millisecond or more before it looks again."""
        dbapi_error = self._engine.dialect.loaded_dbapi.Error
        with self._slot() as slot:
            with slot.writer_lock():
                transaction = HotTransaction(slot, self._dialect)
                try:
                    transaction.execute("BEGIN IMMEDIATE" if self._dialect == "sqlite"
                                        else "BEGIN")
                    try:
                        result = work(transaction)
                    except BaseException:
                        transaction.execute("ROLLBACK")
                        raise
                    for sql in dict.fromkeys(transaction.before_commit):
                        transaction.execute(sql)
                    transaction.commit_sent = True
                    transaction.execute("COMMIT")
                except dbapi_error as error:
                    if transaction.commit_sent:
                        raise
                    raise _UncommittedBreak(error) from error
            slot.committed()
        return result

    @contextmanager
    def _slot(self) -> Iterator[_Slot]:
        """An idle slot, given back when the block ends; dropped after a database error,
        or if a transaction broke on it."""
        slot = self._take()
        try:
            yield slot
        except (self._engine.dialect.loaded_dbapi.Error, _UncommittedBreak):
            slot.discard()
            raise
        finally:
            if slot.connection.is_valid:
                with self._lock:
                    self._idle.append(slot)

    def _take(self) -> _Slot:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        connection = self._engine.raw_connection()
        if self._dialect == "postgresql":
            connection.driver_connection.autocommit = True
        else:
            connection.driver_connection.isolation_level = None  # we say BEGIN and COMMIT
        return _Slot(connection, self._writer_lock_path)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for slot in idle:
            slot.discard()


# Commits between checkpoints. A vote adds ~10 pages to the WAL, many of them the same
# index pages again, so a longer interval copies fewer pages in all (1,000 commits gave ~20 %
# more votes/s than 100); the WAL file grows to ~40 MB.
CHECKPOINT_EVERY = 1000


class _Slot:
    """A pooled driver connection in our transaction mode, with a cursor of its own and,
    on SQLite, its own handle on the writer lock file, kept from one use to the next."""

    def __init__(self, connection, writer_lock_path: str | None) -> None:
        self.connection = connection
        self.cursor = connection.driver_connection.cursor()
        self._writer_lock_path = writer_lock_path
        self._lock_file = None
        self._commits = 0
        if writer_lock_path is not None:
            self.cursor.execute("PRAGMA wal_autocheckpoint=0")

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        if self._writer_lock_path is None:
            yield
            return
        if self._lock_file is None:
            self._lock_file = open(self._writer_lock_path, "a")  # noqa: SIM115 (kept open)
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def committed(self) -> None:
        """On SQLite, copy the WAL back into the database every CHECKPOINT_EVERY commits,
        outside the writer lock: this connection's own automatic checkpoints are off,
        because SQLite runs them inside COMMIT, while the lock file holds the other
        writers back."""
        if self._writer_lock_path is None:
            return
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY == 0:
            self.cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def discard(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
        if self.connection.is_valid:
            self.connection.invalidate()  # not back to the pool: its transaction mode is ours


def _writer_lock_path(engine: Engine) -> str | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return database + "-writer.lock"


class _UncommittedBreak(Exception):
    """A database error that struck before COMMIT was sent: nothing was written."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class HotTransaction:
    """The statements of one HotConnections transaction."""

    def __init__(self, slot: _Slot, dialect: str) -> None:
        self._cursor = slot.cursor
        self._dialect = dialect
        self.before_commit: list[str] = []  # each runs once, last, before COMMIT
        self.commit_sent = False

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        if params is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(_driver_sql(sql, self._dialect),
                                 _driver_params(params, self._dialect))

    def first(self, sql: str, params: dict[str, Any]) -> tuple | None:
        """The first row of `sql`, or None (reading every row, as RETURNING needs on
        SQLite)."""
        self.execute(sql, params)
        rows = self._cursor.fetchall()
        return rows[0] if rows else None


@lru_cache(maxsize=64)
def _driver_sql(sql: str, dialect: str) -> str:
    return sql if dialect == "sqlite" else re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


def _driver_params(params: dict[str, Any], dialect: str) -> dict[str, Any]:
    return {name: _driver_value(value, dialect) for name, value in params.items()}


def _driver_value(value: Any, dialect: str) -> Any:
    """Datetimes as the models store them: naive UTC, as text on SQLite."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime(SQLITE_DATETIME) if dialect == "sqlite" else value


SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's own format for DateTime on SQLite


def utc_datetime(value: str | datetime) -> datetime:
    """A datetime column's value as a driver returns it, as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def session_first(sql: str, params: dict[str, Any]) -> tuple | None:
    """As HotTransaction.first, on the ORM session's connection, in its transaction."""
    dialect = db.session.get_bind().dialect.name
    result = db.session.connection().exec_driver_sql(
        _driver_sql(sql, dialect), _driver_params(params, dialect)
    )
    return result.first()


def unavailable_errors(engine: Engine) -> tuple[type[Exception], ...]:
    """What a database that is down, restarting or unreachable raises: through SQLAlchemy,
    or from the driver itself (the hot connections use it directly). Not bad SQL or
    broken rules (those are bugs)."""
    from sqlalchemy import exc

    driver = engine.dialect.loaded_dbapi
    return (exc.OperationalError, exc.InterfaceError, exc.TimeoutError,
            driver.OperationalError, driver.InterfaceError)


def hot_connections() -> HotConnections:
    """The app's HotConnections (made on first use)."""
    connections = current_app.extensions.get(_HOT_KEY)
    if connections is None:
        connections = current_app.extensions[_HOT_KEY] = HotConnections(db.engine)
    return connections
