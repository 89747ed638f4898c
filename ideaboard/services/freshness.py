"""What pages show changes only through commits that mark the session; with such a commit
the board's generation goes up, and everything cached under an older generation is stale.

On SQLite the bump is the last statement of the transaction itself: writers hold the one
database lock anyway, so it costs no extra waiting, and a crash cannot separate the change
from the bump. On PostgreSQL it runs right after the commit, in its own statement, so no
transaction holds the counter row's lock while it waits for its commit; readers that saw the
old generation may cache the new content under it, which is harmless.
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from ideaboard.database import HotTransaction, hot_connections
from ideaboard.extensions import db

_CHANGED = "board_changed"


def mark_board_changed(transaction: HotTransaction | None = None) -> None:
    """Call from any service that changes what a page shows, in the session's transaction
    or in `transaction`; acted on as that transaction commits."""
    if transaction is None:
        db.session.info[_CHANGED] = True
    elif _bumps_inside_the_transaction(transaction.dialect):
        transaction.execute(_BUMP)
    else:
        transaction.after_commit.append(_BUMP)


_READ_GENERATION = "SELECT generation FROM board_state WHERE id = 1"


def current_generation() -> int:
    """The board's generation: one primary-key read."""
    rows = hot_connections().rows(_READ_GENERATION)
    return rows[0][0] if rows else 0


_BUMP = "UPDATE board_state SET generation = generation + 1 WHERE id = 1"


def _bumps_inside_the_transaction(dialect: str) -> bool:
    return dialect == "sqlite"


def _before_commit(session: Session) -> None:
    if session.info.get(_CHANGED) and _bumps_inside_the_transaction(
        session.get_bind().dialect.name
    ):
        session.info.pop(_CHANGED)
        session.connection().execute(text(_BUMP))


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        with session.get_bind().begin() as connection:
            connection.execute(text(_BUMP))


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_CHANGED, None)


def install() -> None:
    """Listen on every session of the app's session class (done once, in the factory)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
