"""Repairs that recompute stored counts from the rows they summarise."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select, update

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Vote
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import trending_weight


def recompute_trending() -> int:
    """Set vote_count, comment_count and trending_score of every idea from the rows."""
    weights: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for idea_id, voted_at in db.session.execute(select(Vote.idea_id, Vote.created_at)):
        weights[idea_id] += trending_weight(voted_at)
        counts[idea_id] += 1
    comment_counts = dict(
        db.session.execute(
            select(Comment.idea_id, func.count())
            .where(Comment.hidden_at.is_(None))
            .group_by(Comment.idea_id)
        ).all()
    )
    rows = [
        {
            "id": idea_id,
            "vote_count": counts[idea_id],
            "comment_count": comment_counts.get(idea_id, 0),
            "trending_score": trending_weight(created_at) + weights[idea_id],
        }
        for idea_id, created_at in db.session.execute(select(Idea.id, Idea.created_at))
    ]
    if rows:
        db.session.execute(update(Idea), rows)
        mark_board_changed()
    return len(rows)
