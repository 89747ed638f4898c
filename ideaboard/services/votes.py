"""Voting: one vote per member per idea, counts kept in the idea's row in the same transaction.

Votes are the busiest write, so the statements are built once, with bound parameters, and
each toggle is three statements: the vote row, the idea's counters (returning the new
count), and the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ideaboard.database import hot_reader
from ideaboard.extensions import db
from ideaboard.models import Idea, Vote, utcnow
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import public_filter, trending_weight

_INSERT_IF_ABSENT = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(Vote)
    .values(user_id=bindparam("user_id"), idea_id=bindparam("idea_id"),
            created_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["user_id", "idea_id"])
    .returning(Vote.created_at)
    for dialect in (postgresql, sqlite)
}
_DELETE = (
    delete(Vote)
    .where(Vote.user_id == bindparam("user_id"), Vote.idea_id == bindparam("idea_id"))
    .returning(Vote.created_at)
)
# Only ideas on the board take votes: a hidden or withdrawn idea matches no row here, and
# the caller then rolls the vote row back.
_ADJUST = (
    update(Idea)
    .where(Idea.id == bindparam("idea_id"), public_filter())
    .values(vote_count=Idea.vote_count + bindparam("by"),
            trending_score=Idea.trending_score + bindparam("weight"))
    .returning(Idea.vote_count)
)
_COUNT = select(Idea.vote_count).where(Idea.id == bindparam("idea_id"), public_filter())
_HAS_VOTED = select(Vote.idea_id).where(
    Vote.user_id == bindparam("user_id"), Vote.idea_id == bindparam("idea_id")
)

class NotOnTheBoard(LookupError):
    """The idea is hidden, withdrawn or missing: it takes no votes."""


@dataclass(frozen=True)
class VoteState:
    voted: bool
    vote_count: int


def _connection() -> Connection:
    return db.session.connection()


def _adjust_counts(idea_id: int, by: int, weight: float) -> int:
    count = _connection().execute(
        _ADJUST, {"idea_id": idea_id, "by": by, "weight": weight}
    ).scalar_one_or_none()
    if count is None:
        raise NotOnTheBoard(idea_id)
    mark_board_changed()
    return count


def cast_vote(user_id: int, idea_id: int, at: datetime | None = None) -> bool:
    """Record the member's vote; returns False (and changes nothing) if it was already there."""
    return _cast(user_id, idea_id, at) is not None


def _cast(user_id: int, idea_id: int, at: datetime | None) -> int | None:
    """The new vote count, or None if the vote was already there."""
    connection = _connection()
    insert = _INSERT_IF_ABSENT[connection.dialect.name]
    voted_at = connection.execute(
        insert, {"user_id": user_id, "idea_id": idea_id, "at": at or utcnow()}
    ).scalar_one_or_none()
    if voted_at is None:
        return None
    return _adjust_counts(idea_id, +1, trending_weight(voted_at))


def withdraw_vote(user_id: int, idea_id: int) -> bool:
    """Remove the member's vote; returns False (and changes nothing) if there was none."""
    return _withdraw(user_id, idea_id) is not None


def _withdraw(user_id: int, idea_id: int) -> int | None:
    voted_at = _connection().execute(
        _DELETE, {"user_id": user_id, "idea_id": idea_id}
    ).scalar_one_or_none()
    if voted_at is None:
        return None
    return _adjust_counts(idea_id, -1, -trending_weight(voted_at))


def set_vote(user_id: int, idea_id: int, voted: bool) -> VoteState:
    """Make the member's vote be `voted` (idempotent either way); returns the result.

    Raises NotOnTheBoard for an idea that takes no votes; the caller must roll back.
    """
    count = _cast(user_id, idea_id, None) if voted else _withdraw(user_id, idea_id)
    if count is None:
        count = _connection().execute(_COUNT, {"idea_id": idea_id}).scalar_one_or_none()
        if count is None:
            raise NotOnTheBoard(idea_id)
    return VoteState(voted=voted, vote_count=count)


def has_voted(user_id: int, idea_id: int) -> bool:
    return _connection().execute(
        _HAS_VOTED, {"user_id": user_id, "idea_id": idea_id}
    ).first() is not None


def voted_idea_ids(user_id: int, idea_ids: list[int]) -> set[int]:
    """Which of `idea_ids` the member has voted for, in one query on the votes' primary key
    (every member's page view asks, so it goes through the hot reader; only integers)."""
    if not idea_ids:
        return set()
    among = ", ".join(str(int(idea_id)) for idea_id in idea_ids)
    rows = hot_reader().rows(
        f"SELECT idea_id FROM votes WHERE user_id = {int(user_id)} AND idea_id IN ({among})"
    )
    return {idea_id for (idea_id,) in rows}


def current_vote_count(idea_id: int) -> int:
    return _connection().execute(_COUNT, {"idea_id": idea_id}).scalar_one_or_none() or 0
