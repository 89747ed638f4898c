"""Following ideas: who hears of an idea's changes (services/notifications.py says what
they hear). Posting, voting on or commenting on an idea follows it; the Follow button
follows or unfollows it at any time."""

from __future__ import annotations

from sqlalchemy import delete, exists, select, text

from ideaboard.database import session_first
from ideaboard.extensions import db
from ideaboard.models import Follow, utcnow

# Written as SQL both databases run, so the vote's own transaction can follow too
# (services/votes.py); RETURNING makes it a statement that answers a row, or none.
FOLLOW_SQL = (
    "INSERT INTO follows (user_id, idea_id, created_at) VALUES (:user_id, :idea_id, :at)"
    " ON CONFLICT (user_id, idea_id) DO NOTHING RETURNING idea_id"
)
# For a board loaded in bulk (seeding.py), which bypasses the services that follow.
_FOLLOW_WHERE_TAKEN_PART = """
INSERT INTO follows (user_id, idea_id, created_at)
SELECT user_id, idea_id, min(at) FROM (
  SELECT author_id AS user_id, id AS idea_id, created_at AS at FROM ideas
  UNION ALL SELECT user_id, idea_id, created_at FROM votes
  UNION ALL SELECT author_id, idea_id, created_at FROM comments WHERE author_id IS NOT NULL
) AS took_part GROUP BY user_id, idea_id
ON CONFLICT (user_id, idea_id) DO NOTHING
"""


def follow_where_taken_part() -> int:
    """Every member follows each idea they posted, voted on or commented on; how many
    follows that added."""
    return db.session.execute(text(_FOLLOW_WHERE_TAKEN_PART)).rowcount


def follow(user_id: int, idea_id: int) -> None:
    """The member follows the idea (already following changes nothing)."""
    session_first(FOLLOW_SQL, {"user_id": user_id, "idea_id": idea_id, "at": utcnow()})


def unfollow(user_id: int, idea_id: int) -> None:
    db.session.execute(delete(Follow).where(Follow.user_id == user_id,
                                            Follow.idea_id == idea_id))


def is_following(user_id: int, idea_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Follow.user_id == user_id,
                                                        Follow.idea_id == idea_id))))
