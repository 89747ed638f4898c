"""A forgotten password: a reset link by mail, that works once, for an hour, and ends every
other session; the page never says whether an address has an account."""

from __future__ import annotations

import re

import pytest

from ideaboard.models import OutboxMessage
from ideaboard.services import accounts
from tests.conftest import PASSWORD, log_in, post_form, queued_mail

NEW_PASSWORD = "a much better one"


def _reset_path(mail: OutboxMessage) -> str:
    url = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", mail.text_body)
    assert url, mail.text_body
    return url.group(1)


def _ask_for_link(client, email: str):
    return post_form(client, "/password/forgot", {"email": email})


def test_the_login_page_leads_to_the_reset_form(client):
    assert b'href="/password/forgot"' in client.get("/login").data
    assert client.get("/password/forgot").status_code == 200


def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_one_gets_mail(
        app, client, member):
    known = _ask_for_link(client, member.email.upper())
    unknown = _ask_for_link(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    [mail] = queued_mail(app)
    assert mail.recipient == member.email and "password" in mail.subject.lower()
    assert _reset_path(mail) in mail.html_body


def test_the_link_sets_a_new_password_signs_in_and_ends_other_sessions(app, client, member):
    elsewhere = app.test_client()
    log_in(elsewhere, member)
    _ask_for_link(client, member.email)
    path = _reset_path(queued_mail(app)[0])

    page = client.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    done = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert done.status_code == 302
    assert client.get("/account").status_code == 200  # signed in here
    assert elsewhere.get("/account").status_code == 302  # and nowhere else
    with app.app_context():
        assert accounts.authenticate(member.email, NEW_PASSWORD) is not None
        assert accounts.authenticate(member.email, PASSWORD) is None


def test_the_link_works_once(app, client, member):
    _ask_for_link(client, member.email)
    path = _reset_path(queued_mail(app)[0])
    post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    again = app.test_client()
    assert again.get(path).headers["Location"] == "/password/forgot"
    refused = post_form(again, path, {"password": "yet another one", "confirm": "yet another one"})
    assert refused.status_code == 302
    with app.app_context():
        assert accounts.authenticate(member.email, NEW_PASSWORD) is not None


@pytest.mark.parametrize("spoil", ["expired", "tampered", "garbage"])
def test_an_expired_or_forged_link_changes_nothing(app, client, member, monkeypatch, spoil):
    _ask_for_link(client, member.email)
    path = _reset_path(queued_mail(app)[0])
    if spoil == "expired":
        monkeypatch.setattr(accounts, "RESET_MAX_AGE", -1)
    elif spoil == "tampered":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    else:
        path = "/password/reset/not-a-token"

    response = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.headers["Location"] == "/password/forgot"
    with app.app_context():
        assert accounts.authenticate(member.email, PASSWORD) is not None


def test_two_different_new_passwords_are_refused_with_the_form_kept(app, client, member):
    _ask_for_link(client, member.email)
    path = _reset_path(queued_mail(app)[0])

    response = post_form(client, path, {"password": NEW_PASSWORD, "confirm": "something else"})

    assert response.status_code == 400
    assert b"The two passwords differ." in response.data


def test_links_for_one_address_are_limited(app, client, member):
    app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"] = "2 per hour"
    for _ in range(2):
        assert _ask_for_link(client, member.email).status_code == 302

    assert _ask_for_link(client, member.email).status_code == 429
    assert len(queued_mail(app)) == 2
