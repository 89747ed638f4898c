"""What was decided, and why: every status change (with its official response) on a public
idea and every published review summary, newest first, for /decisions and its Atom feed.

Status changes are paged by keyset (ix_status_changes_created, or ..._status when filtered
by status). Review summaries are few, one a week at most: each page shows those published
within the span of time its status changes cover, so paging never shows one twice. A filter
by status or category shows status changes only: a summary has neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select, tuple_

from ideaboard.extensions import db
from ideaboard.models import Category, Idea, Review, Status, StatusChange, User
from ideaboard.services.ranking import public_filter


@dataclass(frozen=True)
class Filters:
    status: Status | None = None
    category: Category | None = None

    @property
    def any(self) -> bool:
        return self.status is not None or self.category is not None


@dataclass(frozen=True)
class StatusDecision:
    """A status change or official response on a public idea."""

    kind = "status"
    id: int
    idea_id: int
    idea_title: str
    category_name: str
    from_status: Status
    to_status: Status
    response_html: str | None
    created_at: datetime
    actor_name: str | None

    @property
    def status_changed(self) -> bool:
        return self.from_status is not self.to_status


@dataclass(frozen=True)
class ReviewSummary:
    kind = "review"

    id: int
    created_at: datetime  # when the summary was first published
    reviewed_at: datetime
    summary_html: str


@dataclass
class DecisionPage:
    entries: list[StatusDecision | ReviewSummary]  # newest first
    next_before: int | None  # the status change the next page starts after


def page(filters: Filters, per_page: int, before: int | None = None) -> DecisionPage:
    """One page of decisions, starting after the status change with id `before`."""
    upper = _anchor_time(before)
    changes = _status_decisions(filters, per_page + 1, before, upper)
    has_more = len(changes) > per_page
    changes = changes[:per_page]
    lower = changes[-1].created_at if has_more else None
    summaries = [] if filters.any else _review_summaries(lower, upper)
    entries = sorted([*changes, *summaries], key=lambda e: e.created_at, reverse=True)
    return DecisionPage(entries, changes[-1].id if has_more else None)


def _anchor_time(before: int | None) -> datetime | None:
    if before is None:
        return None
    return db.session.scalar(select(StatusChange.created_at).where(StatusChange.id == before))


def _status_decisions(filters: Filters, limit: int, before: int | None,
                      upper: datetime | None) -> list[StatusDecision]:
    query = (
        select(StatusChange.id, Idea.id, Idea.title, Category.name, StatusChange.from_status,
               StatusChange.to_status, StatusChange.response_html, StatusChange.created_at,
               User.display_name)
        .join(Idea, Idea.id == StatusChange.idea_id)
        .join(Category, Category.id == Idea.category_id)
        .outerjoin(User, User.id == StatusChange.actor_id)
        .where(public_filter())
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
        .limit(limit))
    if filters.status is not None:
        query = query.where(StatusChange.to_status == filters.status)
    if filters.category is not None:
        query = query.where(Idea.category_id == filters.category.id)
    if upper is not None:
        bound = tuple_(literal(upper, StatusChange.created_at.type), literal(before))
        query = query.where(tuple_(StatusChange.created_at, StatusChange.id) < bound)
    return [StatusDecision(*row) for row in db.session.execute(query)]


def _review_summaries(lower: datetime | None, upper: datetime | None) -> list[ReviewSummary]:
    """Summaries published in [lower, upper): the span of one page of status changes."""
    query = (select(Review.id, Review.published_at, Review.started_at, Review.summary_html)
             .where(Review.published_at.is_not(None))
             .order_by(Review.published_at.desc(), Review.id.desc()))
    if lower is not None:
        query = query.where(Review.published_at >= lower)
    if upper is not None:
        query = query.where(Review.published_at < upper)
    return [ReviewSummary(*row) for row in db.session.execute(query)]
