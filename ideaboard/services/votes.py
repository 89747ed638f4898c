"""Voting: one vote per member per idea, counts kept in the idea's row in the same transaction.

Votes are the busiest write: a toggle is three statements (the vote row, the idea's
counters returning the new count, the board's generation), and a fourth when a vote is cast
(the voter follows the idea), written once as SQL that both databases run. A member's
toggle (`set_vote`) runs them on a driver connection in a transaction of its own on
SQLite; on PostgreSQL it sends them as one statement (data-modifying WITH queries), which
is a transaction of its own: one round trip. The demo data and tests run them in the ORM
session's transaction (`cast_vote`, `withdraw_vote`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from ideaboard.database import HotTransaction, hot_connections, session_first, utc_datetime
from ideaboard.models import PUBLIC_IDEA, utcnow
from ideaboard.services.follows import FOLLOW_SQL
from ideaboard.services.freshness import bump_votes_sql, mark_votes_changed
from ideaboard.services.ranking import trending_weight, trending_weight_sql

# A vote row only for an idea on the board (so no foreign-key error for a missing one).
_INSERT_IF_ABSENT = (
    "INSERT INTO votes (user_id, idea_id, created_at)"
    f" SELECT :user_id, id, :at FROM ideas WHERE id = :idea_id AND {PUBLIC_IDEA.text}"
    " ON CONFLICT (user_id, idea_id) DO NOTHING"
)
# Likewise a vote is only taken back from an idea on the board.
_DELETE = (
    "DELETE FROM votes WHERE user_id = :user_id AND idea_id = :idea_id"
    f" AND idea_id IN (SELECT id FROM ideas WHERE id = :idea_id AND {PUBLIC_IDEA.text})"
)
_CAST_ROW = f"{_INSERT_IF_ABSENT} RETURNING created_at"
_WITHDRAW_ROW = f"{_DELETE} RETURNING created_at"
# The count a voter is told: -1 while it is the caretaker's alone (a host nomination
# awaiting its nominee's reply, services/nominations.py).
_TOLD = "CASE WHEN awaiting_consent THEN -1 ELSE vote_count END AS vote_count"
# Only after one of those changed a vote row, so the idea is there (an idea hidden at the
# same moment is counted as if the vote came just before).
_ADJUST = (
    "UPDATE ideas SET vote_count = vote_count + :by, trending_score = trending_score + :weight"
    f" WHERE id = :idea_id RETURNING {_TOLD}"
)
_COUNT = f"SELECT {_TOLD} FROM ideas WHERE id = :idea_id AND {PUBLIC_IDEA.text}"

# The same on PostgreSQL as one statement each way. Every part sees the board as the
# statement began, so the last SELECT gives the count before it: the answer when nothing
# changed (NULL for an idea that takes no votes).
_ANSWER_AND_BUMP = f"""
, bumped AS ({bump_votes_sql("EXISTS (SELECT FROM counted)")})
SELECT coalesce((SELECT vote_count FROM counted), ({_COUNT}))"""
_CAST_IN_ONE = f"""
WITH cast_vote AS ({_INSERT_IF_ABSENT} RETURNING idea_id),
followed AS (
  INSERT INTO follows (user_id, idea_id, created_at)
  SELECT :user_id, idea_id, :at FROM cast_vote ON CONFLICT (user_id, idea_id) DO NOTHING
),
counted AS (
  UPDATE ideas SET vote_count = vote_count + 1, trending_score = trending_score + :weight
  WHERE id IN (SELECT idea_id FROM cast_vote) RETURNING {_TOLD}
){_ANSWER_AND_BUMP}"""
_WITHDRAW_IN_ONE = f"""
WITH withdrawn AS ({_DELETE} RETURNING idea_id, created_at),
counted AS (
  UPDATE ideas SET vote_count = vote_count - 1,
    trending_score = trending_score - {trending_weight_sql("withdrawn.created_at")}
  FROM withdrawn WHERE ideas.id = withdrawn.idea_id RETURNING {_TOLD}
){_ANSWER_AND_BUMP}"""


class NotOnTheBoard(LookupError):
    """The idea is hidden, withdrawn or missing: it takes no votes."""


@dataclass(frozen=True)
class VoteState:
    voted: bool
    vote_count: int | None  # None: only the caretaker may know it


def _first(transaction: HotTransaction | None, sql: str, **params) -> tuple | None:
    """Run in `transaction`, or in the ORM session's own when it is None."""
    if transaction is None:
        return session_first(sql, params)
    return transaction.first(sql, params)


def _adjust_counts(transaction: HotTransaction | None, idea_id: int, by: int,
                   weight: float) -> int:
    """Move the idea's counters by one vote; the new count."""
    mark_votes_changed(transaction)
    return _first(transaction, _ADJUST, idea_id=idea_id, by=by, weight=weight)[0]


def cast_vote(user_id: int, idea_id: int, at: datetime | None = None) -> bool:
    """Record the member's vote in the session's transaction; returns False (and changes
    nothing) if it was already there."""
    return _cast(None, user_id, idea_id, at) is not None


def _cast(transaction: HotTransaction | None, user_id: int, idea_id: int,
          at: datetime | None) -> int | None:
    """The new vote count, or None if the vote was already there or the idea takes no
    votes. Voting follows the idea."""
    at = at or utcnow()
    row = _first(transaction, _CAST_ROW, user_id=user_id, idea_id=idea_id, at=at)
    if row is None:
        return None
    _first(transaction, FOLLOW_SQL, user_id=user_id, idea_id=idea_id, at=at)
    return _adjust_counts(transaction, idea_id, +1, trending_weight(utc_datetime(row[0])))


def withdraw_vote(user_id: int, idea_id: int) -> bool:
    """Remove the member's vote in the session's transaction; returns False (and changes
    nothing) if there was none."""
    return _withdraw(None, user_id, idea_id) is not None


def _withdraw(transaction: HotTransaction | None, user_id: int, idea_id: int) -> int | None:
    row = _first(transaction, _WITHDRAW_ROW, user_id=user_id, idea_id=idea_id)
    if row is None:
        return None
    return _adjust_counts(transaction, idea_id, -1, -trending_weight(utc_datetime(row[0])))


def set_vote(user_id: int, idea_id: int, voted: bool) -> VoteState:
    """Make the member's vote be `voted` (idempotent either way), in a transaction of its
    own, committed when this returns.

    The busiest write, so it runs on a driver connection, not the ORM session: three
    statements (vote row, counters, generation) between BEGIN and COMMIT, or one statement
    on PostgreSQL. Raises NotOnTheBoard, having changed nothing, for an idea that takes no
    votes.
    """
    if hot_connections().dialect == "postgresql":
        return _set_vote_in_one(user_id, idea_id, voted)

    def toggle(transaction: HotTransaction) -> int:
        if voted:
            count = _cast(transaction, user_id, idea_id, None)
        else:
            count = _withdraw(transaction, user_id, idea_id)
        if count is None:  # nothing to change: the vote already is as asked, or no idea
            row = transaction.first(_COUNT, {"idea_id": idea_id})
            if row is None:
                raise NotOnTheBoard(idea_id)
            return row[0]
        return count

    return _state(voted, hot_connections().in_transaction(toggle))


def _set_vote_in_one(user_id: int, idea_id: int, voted: bool) -> VoteState:
    """set_vote as one statement, which is a transaction of its own: one round trip, and no
    BEGIN and COMMIT to send (half the client's CPU, and 15 % of the server's). Should
    the connection break, `rows` sends it again on a fresh one, which is safe either way:
    a vote already as asked changes nothing."""
    now = utcnow()
    if voted:
        sql, params = _CAST_IN_ONE, {"user_id": user_id, "idea_id": idea_id, "at": now,
                                     "weight": trending_weight(now)}
    else:
        sql, params = _WITHDRAW_IN_ONE, {"user_id": user_id, "idea_id": idea_id}
    [(count,)] = hot_connections().rows(sql, params)
    if count is None:
        raise NotOnTheBoard(idea_id)
    return _state(voted, count)


def _state(voted: bool, told: int) -> VoteState:
    return VoteState(voted=voted, vote_count=told if told >= 0 else None)


class MemberView(NamedTuple):
    """What a member's copy of a page shows of votes: which ideas they voted for, and each
    idea's count as it is now (a cached page may be up to a second behind on counts); and,
    where the page has a Follow button, which ideas they follow."""

    voted: frozenset[int]
    counts: dict[int, int]
    following: frozenset[int] = frozenset()


def member_view(user_id: int, idea_ids: list[int], follows: bool = False) -> MemberView:
    """The member's votes on `idea_ids` and their counts (and, if asked, their follows), in
    one query on primary keys (every member's page view asks, so it runs on the hot
    connections; only integers)."""
    if not idea_ids:
        return MemberView(frozenset(), {})
    among = ", ".join(str(int(idea_id)) for idea_id in idea_ids)
    follower, follow_join = "NULL", ""
    if follows:
        follower = "follows.user_id"
        follow_join = (" LEFT JOIN follows ON follows.idea_id = ideas.id"
                       f" AND follows.user_id = {int(user_id)}")
    rows = hot_connections().rows(
        f"SELECT ideas.id, ideas.vote_count, votes.user_id, {follower} FROM ideas"
        f" LEFT JOIN votes ON votes.idea_id = ideas.id AND votes.user_id = {int(user_id)}"
        f"{follow_join} WHERE ideas.id IN ({among})"
    )
    return MemberView(frozenset(idea for idea, _count, voter, _f in rows if voter is not None),
                      {idea: count for idea, count, _voter, _f in rows},
                      frozenset(idea for idea, _count, _voter, fan in rows if fan is not None))


def current_vote_count(idea_id: int) -> int:
    row = session_first(_COUNT, {"idea_id": idea_id})
    return row[0] if row else 0
