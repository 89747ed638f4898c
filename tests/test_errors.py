"""Error pages: proper pages for people, JSON for scripts, oversized bodies refused."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.get_data(as_text=True)


def test_403_page(member_client):
    response = member_client.get("/caretaker")
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.get_data(as_text=True)


def test_400_page(client):
    response = client.get("/?sort=bogus")
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.get_data(as_text=True)


def test_413_for_a_body_over_the_limit(app, member_client, make_idea):
    idea_id = make_idea()
    token = csrf_token(member_client)
    response = member_client.post(
        f"/ideas/{idea_id}/comments",
        data={"csrf_token": token, "body": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert response.status_code == 413
    assert "<h1>Too large</h1>" in response.get_data(as_text=True)


def test_errors_answer_json_to_scripts(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_pages_carry_a_strict_content_security_policy(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert all(len(headers.getlist(name)) == 1 for name in (
        "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"))


def test_a_view_with_its_own_policy_keeps_it(app, client):
    @app.get("/_test/own-policy")
    def own_policy():
        return "ok", 200, {"content-security-policy": "default-src 'none'"}

    headers = client.get("/_test/own-policy").headers
    assert headers.getlist("Content-Security-Policy") == ["default-src 'none'"]


@pytest.mark.parametrize(("accept", "json"), [
    ("application/json", True),
    ("text/html, application/json;q=0.9", False),
    ("text/html;q=0.5, application/json", True),
    ("*/*", False),
    ("", False),
])
def test_json_only_when_it_is_the_clients_first_choice(client, accept, json):
    for _ in range(2):  # the second time from the parsed headers kept
        response = client.get("/no/such/page", headers={"Accept": accept})
        assert (response.mimetype == "application/json") is json
