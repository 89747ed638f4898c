"""What pages show changes only through commits that mark the session (or a HotTransaction);
such a commit also raises the board's generation, and everything cached under an older
generation is stale.

The bump is the last statement of the changing transaction itself (or part of its one
statement, see `bump_sql`), so the change and the new generation become visible together
and a crash cannot separate them. Writers all update the one counter row, so they queue
for it; as the last statement, it is held only while the commit itself runs (SQLite's
writers hold the one database lock anyway).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from ideaboard.database import HotConnections, HotTransaction, hot_connections
from ideaboard.extensions import db

_CHANGED = "board_changed"
_BUMP = "UPDATE board_state SET generation = generation + 1 WHERE id = 1"
_READ_GENERATION = "SELECT generation FROM board_state WHERE id = 1"
# For a query that reads the generation along with something else: see note_generation.
GENERATION_SUBQUERY = f"({_READ_GENERATION})"

# The generation a GET request has read, in its WSGI environ. A GET changes nothing, so the
# first read holds for the whole request, and later readers reuse it: a page costs one read.
_REQUEST_GENERATION = "ideaboard.request_generation"
_SAFE_METHODS = ("GET", "HEAD")


def mark_board_changed(transaction: HotTransaction | None = None) -> None:
    """Call from any service that changes what a page shows, in the session's transaction
    or in `transaction`; acted on as that transaction commits."""
    if transaction is None:
        db.session.info[_CHANGED] = True
    else:
        transaction.before_commit.append(_BUMP)


def bump_sql(when: str) -> str:
    """The bump as one statement that runs only `when` (an SQL condition): for a write that
    is a single statement with its bump inside, as a vote is on PostgreSQL."""
    return f"{_BUMP} AND {when}"


def current_generation() -> int:
    """The board's generation: one primary-key read, once per GET request."""
    environ = _request_environ()
    if _REQUEST_GENERATION in environ:
        return environ[_REQUEST_GENERATION]
    generation = _generation_of(hot_connections())
    note_generation(generation, environ)
    return generation


def note_generation(generation: int | None, environ: dict | None = None) -> None:
    """Keep what a reader saw for the rest of a GET request (this one, unless `environ` is
    given): the visitor cache reads the generation before Flask runs, and a member's load
    reads it in the same query."""
    environ = _request_environ() if environ is None else environ
    if generation is not None and environ.get("REQUEST_METHOD") in _SAFE_METHODS:
        environ[_REQUEST_GENERATION] = generation


def _request_environ() -> dict:
    return request.environ if has_request_context() else {}


def generation_reader() -> Callable[[], int]:
    """current_generation for use outside an app context (made inside one)."""
    connections = hot_connections()
    return lambda: _generation_of(connections)


def _generation_of(connections: HotConnections) -> int:
    rows = connections.rows(_READ_GENERATION)
    return rows[0][0] if rows else 0


def _before_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        session.connection().execute(text(_BUMP))


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_CHANGED, None)


def install() -> None:
    """Listen on every session of the app's session class (done once, in the factory)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
