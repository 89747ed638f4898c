"""The board setting "members confirm their email address before they post": an unconfirmed
member reads and votes but posts no idea or comment, on the pages or through the API,
until they follow their link; with the setting off (the default) nothing changes."""

from __future__ import annotations

import pytest

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, User
from ideaboard.services import settings
from tests.api.conftest import bearer
from tests.conftest import post_form, sign_in


@pytest.fixture
def unconfirmed(app, member) -> User:
    with app.app_context():
        db.session.get(User, member.id).email_verified_at = None
        db.session.commit()
    return member


def _require_confirmation(app, caretaker_client, on: bool = True) -> None:
    response = post_form(caretaker_client, "/caretaker/settings", {
        "visitor_comments": "open", "chat_hashtag": "#HITsm", "post_limit": "280",
        **({"posting_needs_confirmed_email": "y"} if on else {})})
    assert response.status_code == 302
    with app.app_context():
        assert settings.current().posting_needs_confirmed_email is on


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return db.session.query(Idea).count(), db.session.query(Comment).count()


def test_an_unconfirmed_member_posts_nothing_while_the_board_asks_for_it(
        app, caretaker_client, unconfirmed, make_idea):
    idea_id = make_idea("Somebody's idea")
    _require_confirmation(app, caretaker_client)
    client = app.test_client()
    sign_in(client, unconfirmed)
    before = _counts(app)

    page = client.get("/ideas/new")
    posted = post_form(client, f"/ideas/{idea_id}/comments", {"body": "Me too"})
    api = client.post("/api/v1/ideas", json={"title": "An idea", "description": "Long enough.",
                                             "category": "other"},
                      headers=bearer(app, unconfirmed))

    assert page.status_code == posted.status_code == api.status_code == 403
    assert "confirm your email address first" in page.get_data(as_text=True)
    assert "confirm your email address first" in api.get_json()["error"]["message"]
    assert _counts(app) == before
    voted = post_form(client, f"/ideas/{idea_id}/vote", {"intent": "vote"})
    assert voted.status_code == 302  # still votes


def test_with_the_setting_off_or_the_address_confirmed_members_post(
        app, caretaker_client, unconfirmed, make_idea):
    idea_id = make_idea("Somebody's idea")
    client = app.test_client()
    sign_in(client, unconfirmed)
    assert post_form(client, f"/ideas/{idea_id}/comments", {"body": "First"}).status_code == 302
    _require_confirmation(app, caretaker_client)
    with app.app_context():
        db.session.get(User, unconfirmed.id).email_verified_at = db.func.now()
        db.session.commit()

    assert post_form(client, f"/ideas/{idea_id}/comments", {"body": "Second"}).status_code == 302
    assert client.get("/ideas/new").status_code == 200
    _require_confirmation(app, caretaker_client, on=False)


def test_the_idea_page_tells_an_unconfirmed_member_instead_of_offering_the_form(
        app, caretaker_client, unconfirmed, make_user, make_idea):
    idea_id = make_idea("Somebody's idea")
    confirmed = make_user("Cory Confirmed", verified=True)
    path = f"/ideas/{idea_id}-somebody-s-idea"
    form_tag = 'class="comment-form" id="comment-form" novalidate'
    notice = "Please confirm your email address before you comment"
    waiting, ready = app.test_client(), app.test_client()
    sign_in(waiting, unconfirmed)
    sign_in(ready, confirmed)
    assert f"{form_tag}>" in waiting.get(path).get_data(as_text=True)  # setting off

    _require_confirmation(app, caretaker_client)

    page = waiting.get(path).get_data(as_text=True)
    assert notice in page and f"{form_tag} hidden>" in page
    page = ready.get(path).get_data(as_text=True)  # the same cached page, filled for Cory
    assert notice not in page and f"{form_tag}>" in page
    visitor = app.test_client().get(path).get_data(as_text=True)
    assert notice not in visitor and 'name="name"' in visitor


def test_once_confirmed_the_member_never_gets_the_old_page_back_as_not_modified(
        app, caretaker_client, unconfirmed, make_idea):
    idea_id = make_idea("Somebody's idea")
    path = f"/ideas/{idea_id}-somebody-s-idea"
    _require_confirmation(app, caretaker_client)
    client = app.test_client()
    sign_in(client, unconfirmed)
    etag = client.get(path).headers["ETag"]
    with app.app_context():
        db.session.get(User, unconfirmed.id).email_verified_at = db.func.now()
        db.session.commit()

    again = client.get(path, headers={"If-None-Match": etag})

    assert again.status_code == 200
    assert "Please confirm your email address before you comment" not in again.get_data(
        as_text=True)
