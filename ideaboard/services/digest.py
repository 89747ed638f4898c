"""The weekly digest (`flask --app ideaboard send-digest`): one mail per subscribed member
with the week's new ideas, top movers, status changes and the next chat, and what they
chose to hear of weekly on the ideas they follow.

A run is recorded per ISO week (DigestRun): what it covers is fixed when it starts, and
members are taken in id order, a batch at a time, each batch's mail committed with the
run's cursor. So a second run in the same week sends nothing; a run after a crash goes on
from the last committed member (nobody gets two copies, nobody is skipped); and two runs
at once cannot queue one member's digest twice (its dedupe key is unique: the loser of
that race rolls back its batch and goes on from the winner's cursor).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, load_only

from ideaboard.extensions import db
from ideaboard.models import (
    Chat,
    Comment,
    Delivery,
    DigestRun,
    Follow,
    Idea,
    StatusChange,
    User,
    Vote,
    utcnow,
)
from ideaboard.services import chats, newsletter
from ideaboard.services.categories import slugify
from ideaboard.services.mail import link, queue_mail
from ideaboard.services.notifications import (
    DIGEST,
    member_unsubscribe_url,
    subscriber_unsubscribe_url,
)

WEEK = timedelta(days=7)
# Nominations awaiting their nominee's reply are left out: their counts are not public.
ON_THE_BOARD = (Idea.hidden_at.is_(None) & Idea.withdrawn_at.is_(None)
                & Idea.awaiting_consent.is_(False))
BATCH = 500  # members per transaction
LISTED = 5  # new ideas, movers and status changes each


def week_of(moment: datetime) -> str:
    year, week, _day = moment.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Report:
    week: str
    queued: int = 0
    already_sent: bool = False


@dataclass(frozen=True)
class Listed:
    """An idea as the digest lists it."""

    title: str
    url: str
    detail: str


@dataclass
class Week:
    """What every digest of the week says."""

    new_ideas: list[Listed]
    movers: list[Listed]
    decisions: list[Listed]
    next_chat: Chat | None
    chat_url: str
    settings_url: str

    @property
    def is_empty(self) -> bool:
        return not (self.new_ideas or self.movers or self.decisions or self.next_chat)


@dataclass
class Personal:
    """What one member chose to hear of weekly, on the ideas they follow."""

    updates: list[Listed] = field(default_factory=list)
    comments: list[Listed] = field(default_factory=list)
    replies: list[Listed] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.updates or self.comments or self.replies)


def send_digest(now: datetime | None = None, batch: int = BATCH) -> Report:
    """Queue this week's digest for every subscribed member not yet sent it."""
    now = now or utcnow()
    run = _run_for(now)
    report = Report(run.week)
    if run.finished_at is not None:
        report.already_sent = True
        return report
    week = _the_week(run.covers_from, run.covers_until)
    while True:
        members = _next_members(run.last_user_id, batch)
        if not members:
            _send_to_subscribers(run, week, report, batch)
            run.finished_at = utcnow()
            db.session.commit()
            return report
        personal = _personal(members, run.covers_from, run.covers_until)
        queued = 0
        for member in members:
            mine = personal.get(member.id, Personal())
            if not (week.is_empty and mine.is_empty):
                _queue(run, member, week, mine)
                queued += 1
        run.last_user_id = members[-1].id
        _commit_batch(run, report, queued)


def _send_to_subscribers(run: DigestRun, week: Week, report: Report, batch: int) -> None:
    """The visitors who subscribed by email (newsletter.py), after the members, by the same
    rules: batches committed with the cursor, a unique key per address and week. They get
    what every digest says, or nothing in a quiet week."""
    while not week.is_empty:
        subscribers = newsletter.next_receiving(run.last_subscriber_id, batch)
        if not subscribers:
            return
        for subscriber in subscribers:
            queue_mail(subscriber.email, f"This week on Ideaboard ({run.week})", "digest",
                       dedupe_key=f"digest:{run.week}:s{subscriber.id}", member=None,
                       week=week, mine=Personal(), settings_url=None,
                       unsubscribe_url=subscriber_unsubscribe_url(subscriber.id))
        run.last_subscriber_id = subscribers[-1].id
        _commit_batch(run, report, len(subscribers))


def _commit_batch(run: DigestRun, report: Report, queued: int) -> None:
    """A batch's mail committed with the run's cursor; if another run queued this batch
    first, this one rolls back and goes on from that run's cursor."""
    run.queued += queued
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        db.session.refresh(run)
    else:
        report.queued += queued


def _run_for(now: datetime) -> DigestRun:
    week = week_of(now)
    run = db.session.get(DigestRun, week)
    if run is not None:
        return run
    run = DigestRun(week=week, covers_from=now - WEEK, covers_until=now, started_at=now,
                    last_user_id=0, last_subscriber_id=0, queued=0)
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:  # another run started it at the same moment
        db.session.rollback()
        run = db.session.get(DigestRun, week)
    return run


def _next_members(after_id: int, batch: int) -> list[User]:
    return list(db.session.scalars(
        select(User)
        .options(load_only(User.id, User.email, User.display_name, User.notify_updates,
                           User.notify_comments, User.notify_replies))
        .where(User.id > after_id, User.digest_subscribed.is_(True),
               User.email_verified_at.is_not(None), User.suspended_at.is_(None))
        .order_by(User.id).limit(batch)))


def _queue(run: DigestRun, member: User, week: Week, mine: Personal) -> None:
    queue_mail(member.email, f"This week on Ideaboard ({run.week})", "digest",
               dedupe_key=f"digest:{run.week}:{member.id}", member=member, week=week,
               mine=mine, unsubscribe_url=member_unsubscribe_url(member.id, DIGEST),
               settings_url=week.settings_url)


def _idea_link(idea_id: int, title: str) -> str:
    return link("ideas.show", idea_id=idea_id, slug=slugify(title) or None)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _the_week(since: datetime, until: datetime) -> Week:
    public = [ON_THE_BOARD]
    new = db.session.execute(
        select(Idea.id, Idea.title, Idea.vote_count)
        .where(*public, Idea.created_at >= since, Idea.created_at < until)
        .order_by(Idea.vote_count.desc(), Idea.id.desc()).limit(LISTED))
    gained = func.count().label("gained")
    movers = db.session.execute(
        select(Idea.id, Idea.title, gained).join(Vote, Vote.idea_id == Idea.id)
        .where(*public, Vote.created_at >= since, Vote.created_at < until)
        .group_by(Idea.id, Idea.title).order_by(gained.desc(), Idea.id).limit(LISTED))
    decisions = db.session.execute(
        select(Idea.id, Idea.title, StatusChange.to_status)
        .join(StatusChange, StatusChange.idea_id == Idea.id)
        .where(*public, StatusChange.created_at >= since, StatusChange.created_at < until,
               StatusChange.from_status != StatusChange.to_status)
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc()).limit(LISTED))
    upcoming = chats.upcoming(limit=1)
    return Week(
        new_ideas=[Listed(t, _idea_link(i, t), _plural(v, "vote")) for i, t, v in new],
        movers=[Listed(t, _idea_link(i, t), f"+{_plural(n, 'vote')}") for i, t, n in movers],
        decisions=[Listed(t, _idea_link(i, t), s.label) for i, t, s in decisions],
        next_chat=upcoming[0] if upcoming else None,
        chat_url=link("chats.index"), settings_url=link("notifications.settings"))


def _personal(members: list[User], since: datetime, until: datetime) -> dict[int, Personal]:
    """For a batch of members, in three queries: status changes on the ideas they follow,
    new comments on them, and replies to their comments, as far as they chose these
    weekly."""
    found: dict[int, Personal] = defaultdict(Personal)
    weekly = {kind: [m.id for m in members if getattr(m, f"notify_{kind}") is Delivery.DIGEST]
              for kind in ("updates", "comments", "replies")}

    def in_week(column):
        return (column >= since) & (column < until)

    if weekly["updates"]:
        rows = db.session.execute(
            select(Follow.user_id, Idea.id, Idea.title, StatusChange.to_status,
                   StatusChange.from_status)
            .join(StatusChange, StatusChange.idea_id == Follow.idea_id)
            .join(Idea, Idea.id == Follow.idea_id)
            .where(Follow.user_id.in_(weekly["updates"]), ON_THE_BOARD,
                   in_week(StatusChange.created_at),
                   StatusChange.actor_id.is_distinct_from(Follow.user_id),
                   (StatusChange.from_status != StatusChange.to_status)
                   | StatusChange.response_html.is_not(None))
            .order_by(StatusChange.created_at, StatusChange.id))
        for user_id, idea_id, title, to_status, from_status in rows:
            detail = to_status.label if to_status is not from_status else "answered"
            found[user_id].updates.append(Listed(title, _idea_link(idea_id, title), detail))
    if weekly["comments"]:
        count = func.count().label("count")
        rows = db.session.execute(
            select(Follow.user_id, Idea.id, Idea.title, count)
            .join(Comment, Comment.idea_id == Follow.idea_id)
            .join(Idea, Idea.id == Follow.idea_id)
            .where(Follow.user_id.in_(weekly["comments"]), ON_THE_BOARD,
                   Comment.hidden_at.is_(None), in_week(Comment.created_at),
                   Comment.author_id.is_distinct_from(Follow.user_id))
            .group_by(Follow.user_id, Idea.id, Idea.title).order_by(Idea.id))
        for user_id, idea_id, title, n in rows:
            found[user_id].comments.append(
                Listed(title, _idea_link(idea_id, title), _plural(n, "new comment")))
    if weekly["replies"]:
        parent = aliased(Comment)
        count = func.count().label("count")
        rows = db.session.execute(
            select(parent.author_id, Idea.id, Idea.title, count)
            .select_from(Comment).join(parent, parent.id == Comment.parent_id)
            .join(Idea, Idea.id == Comment.idea_id)
            .where(parent.author_id.in_(weekly["replies"]), ON_THE_BOARD,
                   Comment.hidden_at.is_(None), in_week(Comment.created_at),
                   Comment.author_id.is_distinct_from(parent.author_id))
            .group_by(parent.author_id, Idea.id, Idea.title).order_by(Idea.id))
        for user_id, idea_id, title, n in rows:
            found[user_id].replies.append(
                Listed(title, _idea_link(idea_id, title), _plural(n, "reply", "replies")))
    return found
