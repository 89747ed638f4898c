"""The caretaker's reviews: a snapshot of the board's top ideas, read against the review
before it (rank moved, votes gained, ideas that dropped out), each idea with its votes per
week, and a short public summary that /decisions shows.

A report costs four queries whatever the board's size: the review, the two snapshots with
their ideas' titles, and the weekly votes of the ideas shown (ix_votes_idea_created)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from ideaboard.extensions import db
from ideaboard.models import Account, Idea, Review, ReviewEntry, Status, Vote, utcnow
from ideaboard.sanitize import render_markdown
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import Filters, Sort, ranked_page, trending_now

TOP = 20  # ideas a review keeps
WEEKS = 8  # weeks of votes each idea's chart shows
WEEK = timedelta(days=7)
REVIEWS_PER_PAGE = 50


@dataclass(frozen=True)
class Snapshot:
    """An idea as a review saw it, with what it is called and where it stands now."""

    rank: int
    idea_id: int
    title: str
    status: Status
    vote_count: int
    trending: float


@dataclass
class ReportRow:
    """An idea of the review, compared with the review before."""

    now: Snapshot
    before: Snapshot | None
    weekly_votes: list[int] = field(default_factory=list)  # oldest week first

    @property
    def rank_change(self) -> int | None:
        """Places gained (negative: lost); None for an idea new to the top."""
        return None if self.before is None else self.before.rank - self.now.rank

    @property
    def votes_gained(self) -> int | None:
        return None if self.before is None else self.now.vote_count - self.before.vote_count


@dataclass
class Report:
    review: Review
    previous: Review | None
    rows: list[ReportRow]
    dropped: list[Snapshot]  # in the review before, not in this one: as they stood then


def start_review(actor: Account, now: datetime | None = None) -> Review:
    """Save the board's top ideas (the Top order everyone sees) as a new review."""
    now = now or utcnow()
    review = Review(started_at=now, started_by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    top = ranked_page(Sort.TOP, Filters(), TOP).ideas
    db.session.add_all(
        ReviewEntry(review_id=review.id, rank=rank, idea_id=idea.id,
                    vote_count=idea.vote_count, trending=trending_now(idea.trending_score, now))
        for rank, idea in enumerate(top, start=1))
    return review


def report(review: Review) -> Report:
    previous = db.session.scalar(
        select(Review).where(Review.id < review.id).order_by(Review.id.desc()).limit(1))
    now = _snapshots(review.id)
    before = {s.idea_id: s for s in _snapshots(previous.id)} if previous else {}
    rows = [ReportRow(snapshot, before.get(snapshot.idea_id)) for snapshot in now]
    weekly = weekly_votes([row.now.idea_id for row in rows], review.started_at)
    for row in rows:
        row.weekly_votes = weekly[row.now.idea_id]
    shown = {s.idea_id for s in now}
    dropped = [s for s in before.values() if s.idea_id not in shown]
    return Report(review, previous, rows, sorted(dropped, key=lambda s: s.rank))


def _snapshots(review_id: int) -> list[Snapshot]:
    rows = db.session.execute(
        select(ReviewEntry.rank, Idea.id, Idea.title, Idea.status, ReviewEntry.vote_count,
               ReviewEntry.trending)
        .join(Idea, Idea.id == ReviewEntry.idea_id)
        .where(ReviewEntry.review_id == review_id).order_by(ReviewEntry.rank))
    return [Snapshot(*row) for row in rows]


def weekly_votes(idea_ids: list[int], until: datetime) -> dict[int, list[int]]:
    """Each idea's votes in each of the WEEKS weeks before `until`, oldest week first, in one
    grouped query (a count per week, so the rows read are the ideas' recent votes only)."""
    counts = {idea_id: [0] * WEEKS for idea_id in idea_ids}
    if not idea_ids:
        return counts
    starts = [until - WEEK * (WEEKS - week) for week in range(WEEKS)]
    per_week = [func.sum(case((and_(Vote.created_at >= start, Vote.created_at < start + WEEK),
                               1), else_=0)) for start in starts]
    rows = db.session.execute(
        select(Vote.idea_id, *per_week)
        .where(Vote.idea_id.in_(idea_ids), Vote.created_at >= starts[0],
               Vote.created_at < until)
        .group_by(Vote.idea_id))
    for idea_id, *weeks in rows:
        counts[idea_id] = [int(n or 0) for n in weeks]
    return counts


def publish_summary(review: Review, summary: str, now: datetime | None = None) -> None:
    """Set the review's public summary (Markdown); empty text takes it off /decisions. It
    keeps the date it was first published, so an edit does not move it up the list."""
    summary = summary.strip()
    mark_board_changed()
    review.summary = summary or None
    review.summary_html = render_markdown(summary) if summary else None
    if not summary:
        review.published_at = None
    elif review.published_at is None:
        review.published_at = now or utcnow()


def recent_reviews(limit: int = REVIEWS_PER_PAGE) -> list[Review]:
    return list(db.session.scalars(
        select(Review).order_by(Review.id.desc()).limit(limit)))
