"""Sessions: a verified cookie is remembered, and never stands in for an altered, expired
or different one."""

from __future__ import annotations

import re
import time

from flask import session

from ideaboard.sessions import RememberingSessionInterface
from tests.conftest import log_in


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_signed_in_member_stays_signed_in_from_the_remembered_cookie(app, client, member):
    log_in(client, member)
    interface = app.session_interface
    assert isinstance(interface, RememberingSessionInterface)
    for _ in range(3):
        assert "Log out" in client.get("/ideas/new").get_data(as_text=True)
    assert _session_cookie(client) in interface._verified


def test_an_altered_cookie_is_not_a_session(app, client, member):
    log_in(client, member)
    cookie = _session_cookie(client)
    client.get("/ideas/new")  # remembered now
    other = app.test_client()
    other.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert other.get("/ideas/new").status_code == 302  # sent to log in


def test_a_remembered_cookie_still_expires(app, client, member, monkeypatch):
    log_in(client, member)
    assert client.get("/ideas/new").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + lifetime + 5)
    assert client.get("/ideas/new").status_code == 302


def test_each_request_gets_its_own_copy_of_a_remembered_session(app, client, member):
    seen = []

    @app.get("/_test/touch")
    def touch():
        seen.append(dict(session))
        session.pop("_user_id", None)  # changed in this request only (not sent back below)
        return "ok"

    log_in(client, member)
    cookie = _session_cookie(client)
    for _ in range(2):
        visitor = app.test_client()
        visitor.set_cookie("session", cookie)
        visitor.get("/_test/touch")
    assert seen[0]["_user_id"] == seen[1]["_user_id"]
    assert seen[0]["_user_id"].startswith(f"{member.id}:")


def _token_on(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_a_signed_csrf_token_is_handed_out_again_for_a_minute(app, client, member, make_idea,
                                                            monkeypatch):
    """flask-wtf signs the session's token afresh on every request (the signature carries the
    time); a worker reuses its signature for a minute, and the reused token still posts."""
    idea_id = make_idea()
    log_in(client, member)
    first = _token_on(client)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 30)
    assert _token_on(client) == first
    response = client.post(f"/ideas/{idea_id}/comments", data={"csrf_token": first,
                                                               "body": "Still valid"})
    assert response.status_code == 302
    monkeypatch.setattr(time, "time", lambda: real_time() + 90)
    later = _token_on(client)
    assert later != first
    other = app.test_client()
    log_in(other, member)
    assert _token_on(other) not in (first, later)  # another session, another token
