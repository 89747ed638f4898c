"""Flags: anyone may report an idea or a comment to the caretaker, with a reason; the report
waits in the caretaker's queue until the content is hidden or the report dismissed."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, Comment, Flag, Idea, utcnow
from ideaboard.services import audit, paging


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
    reasons: list[Flag] = field(default_factory=list)


def _open_targets():
    """Each flagged idea or comment with open reports, and the id of its first open one."""
    return (select(Flag.idea_id, Flag.comment_id, func.min(Flag.id).label("first_id"))
            .where(Flag.resolved_at.is_(None)).group_by(Flag.idea_id, Flag.comment_id)
            .subquery())


FLAGGED_PER_PAGE = 50


def open_flags(after: int | None = None) -> paging.After[Flagged]:
    """Flagged content, the longest waiting first, each with its open reports; a page
    starting after the item whose first open report is `after` (four queries a page)."""
    targets = _open_targets()
    query = select(targets).order_by(targets.c.first_id).limit(FLAGGED_PER_PAGE + 1)
    if after is not None:
        query = query.where(targets.c.first_id > after)
    page, next_after = paging.cut(db.session.execute(query).all(), FLAGGED_PER_PAGE,
                                  lambda row: row.first_id)
    idea_ids = {row.idea_id for row in page if row.idea_id is not None}
    comment_ids = {row.comment_id for row in page if row.comment_id is not None}
    reports = db.session.scalars(
        select(Flag).where(Flag.resolved_at.is_(None),
                           Flag.idea_id.in_(idea_ids) | Flag.comment_id.in_(comment_ids))
        .order_by(Flag.id))
    ideas = {i.id: i for i in db.session.scalars(
        select(Idea).options(joinedload(Idea.author)).where(Idea.id.in_(idea_ids)))}
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids)))}
    grouped = {(row.idea_id, row.comment_id): Flagged(
        ideas.get(row.idea_id), comments.get(row.comment_id)) for row in page}
    for report in reports:
        grouped[(report.idea_id, report.comment_id)].reasons.append(report)
    return paging.After(list(grouped.values()), next_after)


def flagged_count() -> int:
    """How many ideas and comments have open reports."""
    return db.session.scalar(select(func.count()).select_from(_open_targets()))
