"""Voting: one vote per member per idea, counts kept in the idea's row in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ideaboard.extensions import db
from ideaboard.models import Idea, Vote, utcnow
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import trending_weight

_INSERT_BY_DIALECT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _insert_vote_if_absent(user_id: int, idea_id: int, at: datetime) -> Vote | None:
    insert = _INSERT_BY_DIALECT[db.session.get_bind().dialect.name]
    voted_at = db.session.execute(
        insert(Vote)
        .values(user_id=user_id, idea_id=idea_id, created_at=at)
        .on_conflict_do_nothing(index_elements=["user_id", "idea_id"])
        .returning(Vote.created_at)
    ).scalar_one_or_none()
    return Vote(user_id=user_id, idea_id=idea_id, created_at=voted_at) if voted_at else None


def _adjust_counts(idea_id: int, votes: int, weight: float) -> None:
    mark_board_changed()
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id)
        .values(
            vote_count=Idea.vote_count + votes,
            trending_score=Idea.trending_score + weight,
        )
        .execution_options(synchronize_session=False)
    )


def cast_vote(user_id: int, idea_id: int, at: datetime | None = None) -> bool:
    """Record the member's vote; returns False (and changes nothing) if it was already there."""
    vote = _insert_vote_if_absent(user_id, idea_id, at or utcnow())
    if vote is None:
        return False
    _adjust_counts(idea_id, +1, trending_weight(vote.created_at))
    return True


def withdraw_vote(user_id: int, idea_id: int) -> bool:
    """Remove the member's vote; returns False (and changes nothing) if there was none."""
    voted_at = db.session.execute(
        delete(Vote)
        .where(Vote.user_id == user_id, Vote.idea_id == idea_id)
        .returning(Vote.created_at)
    ).scalar_one_or_none()
    if voted_at is None:
        return False
    _adjust_counts(idea_id, -1, -trending_weight(voted_at))
    return True


def set_vote(user_id: int, idea_id: int, voted: bool) -> None:
    """Make the member's vote be `voted`; idempotent either way."""
    if voted:
        cast_vote(user_id, idea_id)
    else:
        withdraw_vote(user_id, idea_id)


def has_voted(user_id: int, idea_id: int) -> bool:
    return db.session.get(Vote, (user_id, idea_id)) is not None


# Built once: every member's page view asks it, with a different list of ideas.
_VOTED_AMONG = select(Vote.idea_id).where(
    Vote.user_id == bindparam("user_id"), Vote.idea_id.in_(bindparam("idea_ids", expanding=True))
)


def voted_idea_ids(user_id: int, idea_ids: list[int]) -> set[int]:
    """Which of `idea_ids` the member has voted for, in one query on the votes' primary key."""
    if not idea_ids:
        return set()
    rows = db.session.connection().execute(
        _VOTED_AMONG, {"user_id": user_id, "idea_ids": idea_ids}
    )
    return {idea_id for (idea_id,) in rows}


def current_vote_count(idea_id: int) -> int:
    return db.session.scalar(select(Idea.vote_count).where(Idea.id == idea_id)) or 0
