"""What pages show changes only through commits that mark the session; after such a commit
the board's generation goes up, and everything cached under an older generation is stale.

The bump runs right after the commit, in its own statement: readers that saw the old
generation may cache the new content under it (harmless), and no transaction holds a lock on
the counter row while it waits for its own commit.
"""

from __future__ import annotations

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ideaboard.extensions import db
from ideaboard.models import BoardState

_CHANGED = "board_changed"


def mark_board_changed() -> None:
    """Call from any service that changes what a page shows; acted on at commit."""
    db.session.info[_CHANGED] = True


_READ_GENERATION = "SELECT generation FROM board_state WHERE id = 1"


def current_generation() -> int:
    """The board's generation: one primary-key read, as plain SQL since every page asks."""
    return db.session.connection().exec_driver_sql(_READ_GENERATION).scalar() or 0


def bump_generation() -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(BoardState).where(BoardState.id == 1)
            .values(generation=BoardState.generation + 1)
        )


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        bump_generation()


def _after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_CHANGED, None)


def install() -> None:
    """Listen on every session of the app's session class (done once, in the factory)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
