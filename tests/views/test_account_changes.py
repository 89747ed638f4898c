"""A member changes their password (other sessions end) or their address (confirmed anew;
the old address is told), each time giving the current password."""

from __future__ import annotations

from ideaboard.extensions import db
from ideaboard.models import User
from ideaboard.services import accounts
from tests.conftest import PASSWORD, log_in, post_form, queued_mail

NEW_PASSWORD = "a much better one"


def _user(app, user_id: int) -> User:
    with app.app_context():
        return db.session.get(User, user_id)


def test_a_new_password_needs_the_current_one_and_ends_other_sessions(app, member_client,
                                                                      member):
    elsewhere = app.test_client()
    log_in(elsewhere, member)
    wrong = post_form(member_client, "/account/password", {
        "current_password": "not it", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert elsewhere.get("/account").status_code == 200

    done = post_form(member_client, "/account/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert done.status_code == 302
    assert member_client.get("/account").status_code == 200  # still signed in here
    assert elsewhere.get("/account").status_code == 302  # not there
    with app.app_context():
        assert accounts.authenticate(member.email, NEW_PASSWORD) is not None


def test_a_new_address_waits_for_its_link_and_the_old_one_is_told(app, member_client, member):
    response = post_form(member_client, "/account/email", {
        "email": "Ana.New@Example.org", "current_password": PASSWORD})

    assert response.status_code == 302
    moved = _user(app, member.id)
    assert moved.email == "ana.new@example.org" and not moved.is_verified
    notice, link = queued_mail(app)
    assert notice.recipient == member.email and "ana.new@example.org" in notice.text_body
    assert link.recipient == "ana.new@example.org" and "/account/verify/" in link.text_body


def test_an_address_another_account_has_changes_nothing_and_says_nothing(
        app, member_client, member, make_user):
    other = make_user("Other Member", email="other@example.org")

    response = post_form(member_client, "/account/email", {
        "email": "other@example.org", "current_password": PASSWORD})

    assert response.status_code == 302
    page = member_client.get("/account").get_data(as_text=True)
    assert "We sent a message to other@example.org" in page and "already" not in page
    assert _user(app, member.id).email == member.email
    [note] = queued_mail(app)
    assert note.recipient == other.email and "tried to use your address" in note.subject


def test_a_wrong_password_or_the_same_address_is_refused(app, member_client, member):
    wrong = post_form(member_client, "/account/email", {
        "email": "ana.new@example.org", "current_password": "not it"})
    same = post_form(member_client, "/account/email", {
        "email": member.email.upper(), "current_password": PASSWORD})

    assert wrong.status_code == same.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert "That is already your address." in same.get_data(as_text=True)
    assert _user(app, member.id).email == member.email and queued_mail(app) == []
