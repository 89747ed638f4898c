"""The weekly digest: what it says, to whom, once a week however often it runs, and
complete after a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Chat, Delivery, DigestRun, OutboxMessage, Status, User, utcnow
from ideaboard.services import comments, digest, ideas, votes
from ideaboard.services.categories import all_categories
from tests.conftest import queued_mail


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _member(make_user, name: str, **settings) -> User:
    user = make_user(name, verified=True)
    user = db.session.get(User, user.id)
    for key, value in settings.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def _idea(author: User, title: str, at=None):
    idea = ideas.create_idea(author, title, "Why not?", all_categories()[0].id, at=at)
    db.session.commit()
    return idea


def _digests() -> list[OutboxMessage]:
    return [mail for mail in queued_mail(current_app)
            if mail.subject.startswith("This week on Ideaboard")]


def _later():
    return utcnow() + timedelta(minutes=1)


def test_every_subscribed_member_gets_the_week_once(app, ctx, make_user, caretaker):
    ana = _member(make_user, "Ana")
    ben = _member(make_user, "Ben")
    _member(make_user, "Opted Out", digest_subscribed=False)
    make_user("Unconfirmed")
    _member(make_user, "Suspended", suspended_at=utcnow())
    popular = _idea(ana, "Invite a CMIO to host")
    _idea(ben, "A chat about nurses' informatics")
    votes.cast_vote(ben.id, popular.id)
    ideas.respond(popular, Status.PLANNED, "In March.", db.session.get(User, caretaker.id))
    db.session.add(Chat(title="AI in the clinic", starts_at=utcnow() + timedelta(days=3),
                        time_zone="America/New_York", host_handle="@host"))
    db.session.commit()
    before = len(queued_mail(app))

    report = digest.send_digest(now=_later())

    mails = _digests()
    assert report.queued == 2 and len(queued_mail(app)) == before + 2
    assert sorted(mail.recipient for mail in mails) == sorted([ana.email, ben.email])
    text = mails[0].text_body
    assert "New ideas\n" in text and "Invite a CMIO to host (1 vote)" in text
    assert "Top movers\n" in text and "Invite a CMIO to host (+1 vote)" in text
    assert "Decided this week\n" in text and "Invite a CMIO to host (Planned)" in text
    assert "Next chat\nAI in the clinic, " in text and "EST" in text
    assert "AI in the clinic" in mails[0].html_body
    assert mails[0].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in mails[0].headers["List-Unsubscribe"]


def test_a_second_run_in_the_same_week_sends_nothing(app, ctx, make_user, runner):
    ana = _member(make_user, "Ana")
    _idea(ana, "Invite a CMIO to host")
    first = digest.send_digest(now=_later())

    again = digest.send_digest(now=_later() + timedelta(hours=1))
    said = runner.invoke(args=["send-digest"])

    assert first.queued == 1 and again.already_sent and again.queued == 0
    assert "already queued: nothing to do" in said.output
    assert len(_digests()) == 1


def test_the_next_week_is_a_new_digest(app, ctx, make_user):
    ana = _member(make_user, "Ana")
    _idea(ana, "Invite a CMIO to host")
    digest.send_digest(now=_later())
    _idea(ana, "A second idea", at=_later() + timedelta(days=1))

    report = digest.send_digest(now=_later() + timedelta(days=7))

    assert report.queued == 1 and len(_digests()) == 2
    assert "A second idea" in _digests()[1].text_body
    assert "Invite a CMIO" not in _digests()[1].text_body  # last week's news


def test_a_run_that_crashed_goes_on_without_duplicates_or_gaps(
        app, ctx, make_user, monkeypatch):
    members = [_member(make_user, f"Member {n}") for n in range(7)]
    _idea(members[0], "Invite a CMIO to host")
    real_queue, calls = digest._queue, []

    def crash_on_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("the machine went down")
        real_queue(*args, **kwargs)

    monkeypatch.setattr(digest, "_queue", crash_on_the_fifth)
    with pytest.raises(RuntimeError):
        digest.send_digest(now=_later(), batch=2)
    db.session.rollback()  # what the crash left uncommitted is gone
    assert len(_digests()) == 4  # two batches committed, the third lost whole
    monkeypatch.setattr(digest, "_queue", real_queue)

    report = digest.send_digest(now=_later(), batch=2)

    assert report.queued == 3
    recipients = [mail.recipient for mail in _digests()]
    assert sorted(recipients) == sorted(member.email for member in members)
    run = db.session.scalar(select(DigestRun))
    assert run.finished_at is not None and run.queued == 7


def test_what_a_member_chose_weekly_comes_in_their_digest_not_at_once(
        app, ctx, make_user, caretaker):
    weekly = _member(make_user, "Wes Weekly", notify_updates=Delivery.DIGEST,
                     notify_replies=Delivery.DIGEST, notify_comments=Delivery.DIGEST)
    other = _member(make_user, "Olga Other")
    idea = _idea(weekly, "Invite a CMIO to host")
    mine = comments.add_member_comment(idea, weekly, "Who could it be?")
    comments.add_member_comment(idea, other, "Dr. Lee", parent=mine)
    comments.add_member_comment(idea, other, "Or Dr. Kim")
    ideas.respond(idea, Status.UNDER_REVIEW, None, db.session.get(User, caretaker.id))
    db.session.commit()
    assert queued_mail(app, to=weekly.email) == []  # nothing at once

    digest.send_digest(now=_later())

    [mail] = queued_mail(app, to=weekly.email)
    text = mail.text_body
    assert "Status changes on ideas you follow\n- Invite a CMIO to host (Under review)" in text
    assert "New comments on ideas you follow\n- Invite a CMIO to host (2 new comments)" in text
    assert "Replies to your comments\n- Invite a CMIO to host (1 reply)" in text
    [other_digest] = [mail for mail in _digests() if mail.recipient == other.email]
    assert "ideas you follow" not in other_digest.text_body  # she hears of it at once


def test_a_quiet_week_sends_no_digest(app, ctx, make_user):
    ana = _member(make_user, "Ana")
    _idea(ana, "Invite a CMIO to host")

    report = digest.send_digest(now=_later() + timedelta(days=8))

    assert report.queued == 0 and _digests() == []
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1
