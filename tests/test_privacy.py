"""What people type to be reached (their email) and where they come from (their client
address) never reach a public page, a feed or an API answer: every GET route of the app is
read as a visitor, after members, visitors and a caretaker have used the board from known
addresses."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from ideaboard.extensions import db
from ideaboard.models import Chat, Idea, Status, User, utcnow
from ideaboard.services import api_tokens, comments, flags, ideas, inbox, nominations, reviews
from ideaboard.services.categories import by_slug
from tests.conftest import post_form, sign_in

CLIENT = "203.0.113.77"
GUEST_EMAIL = "maria.guest@example.net"
WRITER_EMAIL = "sam.writer@example.net"
SUBSCRIBER_EMAIL = "reader.digest@example.net"
NOMINEE_EMAIL = "dr.jane.nominee@example.net"


@pytest.fixture
def used_board(app, client, make_user, make_idea, caretaker):
    """A board people used: signed up, posted, commented (a visitor with an email), wrote
    to the caretaker, flagged, and were answered; all from CLIENT."""
    environ = {"REMOTE_ADDR": CLIENT}
    signed_up = post_form(client, "/signup", {"display_name": "New Member",
                                              "email": "new@example.net",
                                              "password": "a long passphrase"},
                          environ_base=environ)
    author = make_user("Ana Author", email="ana.author@example.net")
    idea_id = make_idea("Invite a CMIO", author=author)
    visitor = client.application.test_client()
    commented = post_form(visitor, f"/ideas/{idea_id}/comments",
                          {"name": "Maria", "email": GUEST_EMAIL, "email_replies": "y",
                           "body": "Yes please"}, environ_base=environ)
    wrote = post_form(visitor, "/contact", {"name": "Sam", "email": WRITER_EMAIL,
                                            "body": "A private note"}, environ_base=environ)
    subscribed = post_form(visitor, "/newsletter", {"email": SUBSCRIBER_EMAIL},
                           environ_base=environ)
    assert [r.status_code for r in (signed_up, commented, wrote, subscribed)] == [302] * 4
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        actor = db.session.get(User, caretaker.id)
        comment = comments.add_member_comment(idea, db.session.get(User, author.id), "Mine")
        flags.flag(None, flags.Reason.SPAM, "from a visitor", comment=comment)
        ideas.respond(idea, Status.PLANNED, "Booked.", actor)
        reviews.publish_summary(reviews.start_review(actor), "We heard you.")
        chat = Chat(title="A chat", starts_at=utcnow(), time_zone="UTC", host_id=author.id)
        db.session.add(chat)
        inbox.send(None, "Dana", "dana@example.net", "Another note")
        host_idea = ideas.create_idea(db.session.get(User, author.id), "Invite Dr Jane",
                                      "She led a go-live.", by_slug("host-to-invite").id)
        nominations.answer(nominations.nominate(host_idea, "Jane Doe", "@drjane",
                                                NOMINEE_EMAIL), True)
        token = api_tokens.create_token(author.id, "A script")[1]
        db.session.commit()
        emails = {user.email for user in db.session.query(User)} | {
            GUEST_EMAIL, WRITER_EMAIL, SUBSCRIBER_EMAIL, NOMINEE_EMAIL, "dana@example.net"}
        return {"idea_id": idea_id, "host_idea_id": host_idea.id, "comment_id": comment.id,
                "user_id": author.id,
                "chat_id": chat.id, "emails": emails, "token": token}


def _get_urls(app, values: dict) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if not rule.arguments <= set(values):
                continue
            urls.append(url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
    return urls


def _leaks(body: str, emails: set[str]) -> list[str]:
    found = [email for email in emails if email.lower() in body.lower()]
    return found + re.findall(r"203\.0\.113\.\d+", body)


def test_no_public_page_feed_or_api_answer_shows_an_email_or_client_address(
        app, used_board, make_user):
    values = {**used_board, "slug": "invite-a-cmio", "token": "not-a-token",
              "answer": "accept", "message_id": 1, "review_id": 1, "token_id": 1}
    visitor = app.test_client()
    reader = make_user("Another Member", email="reader@example.net")
    member = sign_in(app.test_client(), reader)
    read = 0
    for url in _get_urls(app, values):
        for who, client in (("visitor", visitor), ("another member", member)):
            response = client.get(url, follow_redirects=True)
            if response.status_code != 200 or url.startswith(("/account", "/caretaker")):
                continue  # not public: the access matrix says who may read it
            read += 1
            assert not _leaks(response.get_data(as_text=True), used_board["emails"]), (
                f"{url} as {who}")
    assert read >= 40
    idea_page = visitor.get(f"/ideas/{used_board['idea_id']}", follow_redirects=True)
    assert "Yes please" in idea_page.get_data(as_text=True)  # the guest's comment is shown
    host_page = visitor.get(f"/ideas/{used_board['host_idea_id']}", follow_redirects=True)
    assert "Jane Doe" in host_page.get_data(as_text=True)  # the nominee, who agreed
    assert not _leaks(host_page.get_data(as_text=True), used_board["emails"])
    api = app.test_client()
    headers = {"Authorization": f"Bearer {used_board['token']}"}
    for url in ("/api/v1/ideas", f"/api/v1/ideas/{used_board['idea_id']}",
                f"/api/v1/ideas/{used_board['idea_id']}/comments", "/api/v1/categories"):
        body = api.get(url, headers=headers).get_data(as_text=True)
        assert not _leaks(body, used_board["emails"]), url
