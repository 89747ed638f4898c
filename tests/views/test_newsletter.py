"""The weekly digest by email for visitors: double opt-in, one confirmation mail a day, the
same answer whoever asks, one-click unsubscribe, and a count (never the list) for the
caretaker."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, Subscriber, User, utcnow
from ideaboard.services import digest, ideas, newsletter
from ideaboard.services.categories import all_categories
from tests.conftest import (
    database_snapshot,
    post_form,
    queued_mail,
    sign_in,
    without_csrf_tokens,
)

EMAIL = "maria@example.net"


def _ask(client, email: str = EMAIL, **extra):
    return post_form(client, "/newsletter", {"email": email, **extra})


def _confirm_link(app, email: str = EMAIL) -> str:
    [mail] = [m for m in queued_mail(app, email) if "Confirm" in m.subject]
    return re.search(r"http://[^/]+(/newsletter/confirm/\S+)", mail.text_body).group(1)


def _subscriber(app, email: str = EMAIL) -> Subscriber | None:
    with app.app_context():
        found = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


def test_a_visitor_subscribes_only_once_they_confirm(app, visitor):
    asked = _ask(visitor, "  Maria@Example.net ")

    assert asked.status_code == 302
    assert "a mail with a link to confirm is on its way" in visitor.get(
        "/newsletter").get_data(as_text=True)
    assert not _subscriber(app).receiving
    link = _confirm_link(app)
    page = visitor.get(link)
    assert page.status_code == 200 and "Send the weekly Ideaboard digest to maria@example.net?" \
        in page.get_data(as_text=True)
    assert not _subscriber(app).receiving  # opening the link (a link checker) is not a yes
    assert post_form(visitor, link).status_code == 200
    assert _subscriber(app).receiving
    with app.app_context():
        assert newsletter.counts() == (1, 0)


def test_one_confirmation_mail_a_day_whatever_is_asked(app, visitor):
    _ask(visitor)
    _ask(visitor)
    assert len(queued_mail(app, EMAIL)) == 1
    with app.app_context():
        newsletter.subscribe(EMAIL, now=utcnow() + timedelta(days=1, minutes=1))
        db.session.commit()
    assert len(queued_mail(app, EMAIL)) == 2


def test_the_page_answers_the_same_for_a_subscriber_and_a_member(app, visitor, make_user,
                                                                 monkeypatch):
    member = make_user("Ana", email="ana@example.net")
    answers = []
    real_time = time.time
    # The second answer comes minutes later, as it may on a slow machine: its CSRF token is
    # signed at another time, and nothing else may differ.
    for minutes, email in ((0, "new@example.net"), (5, "ana@example.net")):
        monkeypatch.setattr(time, "time", lambda minutes=minutes: real_time() + 60 * minutes)
        _ask(visitor, email)
        page = visitor.get("/newsletter").get_data(as_text=True)
        answers.append(without_csrf_tokens(page).replace(email, "@"))

    assert answers[0] == answers[1]
    assert _subscriber(app, "ana@example.net") is None  # members keep their own setting
    [pointer] = queued_mail(app, "ana@example.net")
    assert "notification settings" in pointer.text_body and member.display_name in \
        pointer.text_body


def test_a_bad_address_or_a_filled_trap_changes_nothing(app, visitor):
    before = database_snapshot(app)

    bad = _ask(visitor, "not an address")
    trapped = _ask(visitor, website="http://spam.example")

    assert bad.status_code == 400 and "Please enter a valid email address." in bad.get_data(
        as_text=True)
    assert trapped.status_code == 400
    assert database_snapshot(app) == before


@pytest.mark.parametrize("token", ["not-a-token", "WzEsIm1hcmlhQGV4YW1wbGUubmV0Il0.forged"])
def test_a_link_that_is_not_genuine_is_not_found(visitor, token):
    assert visitor.get(f"/newsletter/confirm/{token}").status_code == 404


def test_an_expired_link_is_not_found(app, visitor, monkeypatch):
    _ask(visitor)
    link = _confirm_link(app)
    monkeypatch.setattr(newsletter, "CONFIRM_MAX_AGE", timedelta(seconds=-1))
    assert visitor.get(link).status_code == 404


def test_members_are_sent_to_their_own_setting(client, member):
    sign_in(client, member)
    response = client.get("/newsletter")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/account/notifications")


def _confirmed(app, visitor, email: str) -> None:
    _ask(visitor, email)
    post_form(visitor, _confirm_link(app, email))


def test_the_digest_reaches_confirmed_subscribers_who_unsubscribe_in_one_click(
        app, visitor, make_user):
    _confirmed(app, visitor, EMAIL)
    _ask(visitor, "pending@example.net")  # never confirmed
    _confirmed(app, visitor, "joined@example.net")
    make_user("Joined Later", email="joined@example.net")  # a member now: their own setting
    with app.app_context():
        author = db.session.get(User, make_user("Author", verified=True).id)
        ideas.create_idea(author, "Invite a CMIO", "Why not?", all_categories()[0].id)
        db.session.commit()
        report = digest.send_digest()

    [mail] = [m for m in queued_mail(app, EMAIL) if m.subject.startswith("This week")]
    assert report.queued == 2  # the author, and Maria
    assert "Invite a CMIO" in mail.text_body and "What you hear" not in mail.text_body
    assert not [m for m in queued_mail(app, "pending@example.net")
                if m.subject.startswith("This week")]
    unsubscribe = mail.headers["List-Unsubscribe"].strip("<>")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert app.test_client().post(unsubscribe.replace("http://127.0.0.1:5000", "")
                                  ).status_code == 200
    assert not _subscriber(app).receiving
    with app.app_context():
        digest.send_digest(now=utcnow() + timedelta(days=7))
        assert db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.recipient == EMAIL, OutboxMessage.subject.contains("W"),
            OutboxMessage.id > mail.id)) is None


def test_a_quiet_week_sends_subscribers_nothing(app, visitor):
    _confirmed(app, visitor, EMAIL)
    with app.app_context():
        assert digest.send_digest().queued == 0


def test_the_caretaker_sees_how_many_never_who(app, visitor, caretaker_client):
    _confirmed(app, visitor, EMAIL)
    _ask(visitor, "pending@example.net")

    page = caretaker_client.get("/caretaker/mail").get_data(as_text=True)

    assert "1 visitor subscribed, 1 waiting to confirm" in page
    assert EMAIL not in page
