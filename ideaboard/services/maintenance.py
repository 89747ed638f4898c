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
    return recompute_counts()


def recompute_counts(idea_ids: list[int] | None = None) -> int:
    """Set vote_count, comment_count and trending_score of these ideas (all when None) from
    the rows; how many ideas."""
    votes = select(Vote.idea_id, Vote.created_at)
    visible = select(Comment.idea_id, func.count()).where(Comment.hidden_at.is_(None))
    ideas = select(Idea.id, Idea.created_at)
    if idea_ids is not None:
        votes = votes.where(Vote.idea_id.in_(idea_ids))
        visible = visible.where(Comment.idea_id.in_(idea_ids))
        ideas = ideas.where(Idea.id.in_(idea_ids))
    weights: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for idea_id, voted_at in db.session.execute(votes):
        weights[idea_id] += trending_weight(voted_at)
        counts[idea_id] += 1
    comment_counts = dict(db.session.execute(visible.group_by(Comment.idea_id)).all())
    rows = [
        {
            "id": idea_id,
            "vote_count": counts[idea_id],
            "comment_count": comment_counts.get(idea_id, 0),
            "trending_score": trending_weight(created_at) + weights[idea_id],
        }
        for idea_id, created_at in db.session.execute(ideas)
    ]
    if rows:
        db.session.execute(update(Idea), rows)
        mark_board_changed()
    return len(rows)
