"""Private notes to the caretaker: anyone sends one from the footer's page; only caretakers
read them, with read/unread and an archive."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Message
from tests.conftest import post_form, sign_in


def _messages(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Message.name, Message.email, Message.body).order_by(Message.id))]


def test_every_page_links_to_the_contact_page(visitor):
    assert 'href="/contact">Contact the caretaker</a>' in visitor.get("/").get_data(
        as_text=True)


def test_a_visitor_sends_a_note_with_an_email_to_be_answered_at(app, visitor):
    response = post_form(visitor, "/contact", {"name": "Pat Patient", "email": "pat@example.org",
                                               "body": "I'd rather not say this in public."})
    assert response.status_code == 302
    assert _messages(app) == [("Pat Patient", "pat@example.org",
                               "I'd rather not say this in public.")]


def test_a_member_sends_a_note_under_their_account(app, member, visitor):
    sign_in(visitor, member)
    form = visitor.get("/contact").get_data(as_text=True)
    assert 'name="email"' not in form
    post_form(visitor, "/contact", {"body": "A private idea"})
    assert _messages(app) == [(member.display_name, member.email, "A private idea")]


def test_bad_notes_re_render_and_store_nothing(app, visitor):
    cases = [({"name": "Pat", "email": "", "body": "Hi"}, "an email address to answer you at"),
             ({"name": "Pat", "email": "not-an-email", "body": "Hi"}, "valid email"),
             ({"name": "Pat", "email": "p@example.org", "body": ""}, "Please write"),
             ({"name": "Bot", "email": "b@example.org", "body": "Buy", "website": "x"},
              "leave the last field empty")]
    for data, message in cases:
        response = post_form(visitor, "/contact", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _messages(app) == []


def test_notes_are_rate_limited_per_address(app, visitor):
    app.config["COMMENT_RATE_LIMIT"] = "2 per minute"
    for n in range(2):
        assert post_form(visitor, "/contact", {"name": "P", "email": "p@example.org",
                                               "body": f"note {n}"}).status_code == 302
    refused = post_form(visitor, "/contact", {"name": "P", "email": "p@example.org",
                                              "body": "one more"})
    assert refused.status_code == 429 and len(_messages(app)) == 2


def test_only_caretakers_read_the_inbox_with_unread_and_archive(app, caretaker_client,
                                                                member, visitor):
    post_form(visitor, "/contact", {"name": "Pat", "email": "pat@example.org",
                                    "body": "Something private"})
    with app.app_context():
        message_id = db.session.scalar(select(Message.id))
    inbox = caretaker_client.get("/caretaker/inbox").get_data(as_text=True)
    assert "Something private" in inbox and "1 unread" in inbox and "Unread</span>" in inbox
    note = caretaker_client.get(f"/caretaker/inbox/{message_id}").get_data(as_text=True)
    assert "mailto:pat@example.org" in note
    assert "0 unread" in caretaker_client.get("/caretaker/inbox").get_data(as_text=True)
    post_form(caretaker_client, f"/caretaker/inbox/{message_id}/unread")
    assert "1 unread" in caretaker_client.get("/caretaker/inbox").get_data(as_text=True)
    post_form(caretaker_client, f"/caretaker/inbox/{message_id}/archive")
    assert "Something private" not in caretaker_client.get("/caretaker/inbox").get_data(
        as_text=True)
    archive = caretaker_client.get("/caretaker/inbox?view=archive").get_data(as_text=True)
    assert "Something private" in archive
    sign_in(visitor, member)
    assert visitor.get(f"/caretaker/inbox/{message_id}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 1
