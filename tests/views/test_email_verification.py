"""A new member's address is confirmed by a mailed link; sign-up never says whether an
address has an account (its owner gets a mail instead); the caretaker sees who has not
confirmed."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, User
from ideaboard.services import accounts
from tests.conftest import PASSWORD, post_form, queued_mail, sign_in


def _link(mail: OutboxMessage) -> str:
    found = re.search(r"http://127\.0\.0\.1:5000(/account/verify/\S+)", mail.text_body)
    assert found, mail.text_body
    return found.group(1)


def _sign_up(client, email: str = "new@example.org"):
    return post_form(client, "/signup", {"display_name": "New Member", "email": email,
                                         "password": PASSWORD})


def _user(app, email: str) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_a_new_member_can_take_part_at_once_and_confirms_by_the_mailed_link(app, client):
    response = _sign_up(client)

    assert response.status_code == 302
    assert not _user(app, "new@example.org").is_verified
    account = client.get("/account").get_data(as_text=True)
    assert "Confirm your address" in account
    [mail] = queued_mail(app)
    assert mail.recipient == "new@example.org" and "Confirm" in mail.subject

    followed = app.test_client().get(_link(mail))  # from the mail reader: no session needed

    assert followed.status_code == 302
    assert _user(app, "new@example.org").is_verified
    assert "new@example.org (confirmed)" in client.get("/account").get_data(as_text=True)


def test_signing_up_with_a_taken_address_says_nothing_and_mails_its_owner(app, client, member):
    fresh = _sign_up(app.test_client(), "someone.new@example.org")
    taken = _sign_up(client, member.email.upper())

    assert taken.status_code == fresh.status_code == 302
    page = client.get(taken.headers["Location"]).get_data(as_text=True)
    assert f"We sent a message to {member.email.upper()}" in page
    assert "already" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
    [note] = queued_mail(app, member.email)
    assert "tried to sign up" in note.subject and "/password/forgot" in note.text_body


def test_a_link_for_an_address_the_account_no_longer_has_confirms_nothing(app, client):
    _sign_up(client)
    link = _link(queued_mail(app)[0])
    with app.app_context():
        db.session.scalar(select(User)).email = "changed@example.org"
        db.session.commit()

    assert client.get(link).headers["Location"] == "/login"
    assert not _user(app, "changed@example.org").is_verified
    assert client.get("/account/verify/forged.token").headers["Location"] == "/login"


def test_an_unconfirmed_member_can_ask_for_the_link_again(app, client):
    _sign_up(client)

    assert post_form(client, "/account/verify").status_code == 302

    assert len(queued_mail(app)) == 2
    client.get(_link(queued_mail(app)[1]))
    post_form(client, "/account/verify")  # confirmed: nothing more is sent
    assert len(queued_mail(app)) == 2


def test_only_the_caretaker_sees_that_an_author_is_unconfirmed(app, client, make_idea,
                                                             caretaker, member):
    signup_client = app.test_client()
    _sign_up(signup_client)
    author = _user(app, "new@example.org")
    idea_id = make_idea("From a new member", author=author)

    assert "unverified" not in client.get(f"/ideas/{idea_id}",
                                          follow_redirects=True).get_data(as_text=True)
    sign_in(client, member)
    assert "unverified" not in client.get(f"/ideas/{idea_id}",
                                          follow_redirects=True).get_data(as_text=True)
    sign_in(client, caretaker)
    assert "unverified" in client.get(f"/ideas/{idea_id}",
                                      follow_redirects=True).get_data(as_text=True)


def test_a_taken_address_costs_the_password_hash_a_sign_up_costs(app, client, member,
                                                                 monkeypatch):
    hashed = []
    monkeypatch.setattr(accounts, "hash_password",
                        lambda password: hashed.append(password) or "scrypt:stub")

    _sign_up(client, member.email)

    assert hashed == [PASSWORD]  # the typed password, hashed and thrown away
