"""Flags: anyone may report an idea or a comment to the caretaker, with a reason; the report
waits in the caretaker's queue until the content is hidden or the report dismissed."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, Comment, Flag, Idea, utcnow
from ideaboard.services import audit


class Reason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    HEALTH_DATA = "health_data"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"spam": "Spam or advertising", "abuse": "Abusive or disrespectful",
                "off_topic": "Off topic", "health_data": "Shares personal health information",
                "other": "Something else"}[self.value]


def flag(reporter: Account | None, reason: Reason, details: str | None, *,
         idea: Idea | None = None, comment: Comment | None = None) -> Flag:
    """Report `idea` or `comment` (one of them) for the caretaker to look at."""
    report = Flag(idea_id=idea.id if idea else None, comment_id=comment.id if comment else None,
                  reporter_id=reporter.id if reporter is not None and reporter.is_authenticated
                  else None, reason=reason.value, details=details or None, created_at=utcnow())
    db.session.add(report)
    return report


def resolve_for(*, idea_id: int | None = None, comment_id: int | None = None) -> int:
    """Settle the open flags on an idea or a comment (it was hidden, or they were dismissed);
    how many."""
    target = Flag.idea_id == idea_id if idea_id is not None else Flag.comment_id == comment_id
    result = db.session.execute(
        update(Flag).where(target, Flag.resolved_at.is_(None)).values(resolved_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount


def dismiss(actor: Account, *, idea_id: int | None = None,
            comment_id: int | None = None) -> int:
    """The caretaker finds nothing wrong: the open flags on it are settled, the content
    stays."""
    dismissed = resolve_for(idea_id=idea_id, comment_id=comment_id)
    if dismissed:
        subject = f"idea {idea_id}" if idea_id is not None else f"comment {comment_id}"
        audit.record(actor, AuditKind.DISMISS, subject,
                     f"Dismissed {dismissed} flag{'' if dismissed == 1 else 's'}: nothing to hide",
                     {"open_flags": dismissed}, {"open_flags": 0})
    return dismissed


@dataclass
class Flagged:
    """One flagged idea or comment in the queue, with its open reports."""

    idea: Idea | None
    comment: Comment | None
    first_flagged_at: datetime
    reasons: list[Flag] = field(default_factory=list)


QUEUE_LIMIT = 1_000  # flagged ideas and comments the queue shows (not yet paged)


def open_flags(limit: int = QUEUE_LIMIT) -> list[Flagged]:
    """Flagged content, the longest waiting first, each with its open reports (three
    queries, whatever the number)."""
    reports = list(db.session.scalars(
        select(Flag).where(Flag.resolved_at.is_(None)).order_by(Flag.created_at, Flag.id)
        .limit(limit * 5)))
    idea_ids = {r.idea_id for r in reports if r.idea_id is not None}
    comment_ids = {r.comment_id for r in reports if r.comment_id is not None}
    ideas = {i.id: i for i in db.session.scalars(
        select(Idea).options(joinedload(Idea.author)).where(Idea.id.in_(idea_ids)))}
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids)))}
    grouped: dict[tuple, Flagged] = {}
    for report in reports:
        key = ("idea", report.idea_id) if report.idea_id is not None else (
            "comment", report.comment_id)
        if key not in grouped:
            grouped[key] = Flagged(ideas.get(report.idea_id), comments.get(report.comment_id),
                                   report.created_at)
        grouped[key].reasons.append(report)
    return list(grouped.values())[:limit]


def open_count() -> int:
    return db.session.scalar(select(func.count()).where(Flag.resolved_at.is_(None)))
