"""HTTPS: one setting, or automatic behind a proxy saying X-Forwarded-Proto: https; then
every cookie is Secure and Strict-Transport-Security is sent."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, csrf_token, make_app

HTTPS_PROXY = {"X-Forwarded-Proto": "https"}


def _log_in_remembered(client, user, headers=None):
    return client.post("/login", headers=headers, data={
        "csrf_token": csrf_token(client), "email": user.email, "password": PASSWORD,
        "remember": "y"})


def _set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_over_plain_http_cookies_are_not_secure_and_no_hsts(client, member):
    response = _log_in_remembered(client, member)
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert any(c.startswith("remember_token=") for c in cookies)
    assert not any("Secure" in c for c in cookies)
    assert "Strict-Transport-Security" not in response.headers


def test_behind_a_proxy_saying_https_every_cookie_is_secure_and_hsts_is_sent(client, member):
    response = _log_in_remembered(client, member, headers=HTTPS_PROXY)
    cookies = _set_cookies(response)
    assert {c.split("=")[0] for c in cookies} >= {"session", "remember_token"}
    assert all("; Secure" in c for c in cookies)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_https_setting_makes_it_so_without_any_header(migrated, member):
    app = make_app(migrated, HTTPS=True)
    client = app.test_client()
    response = _log_in_remembered(client, member)
    assert all("; Secure" in c for c in _set_cookies(response))
    assert "Strict-Transport-Security" in client.get("/").headers


def test_cached_visitor_pages_get_hsts_too(client):
    first = client.get("/", headers=HTTPS_PROXY)
    again = client.get("/", headers=HTTPS_PROXY)  # from the visitor cache, in front of Flask
    assert first.status_code == again.status_code == 200
    assert again.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_trusted_proxy_links_are_https(migrated, proxies):
    app = make_app(migrated, PROXY_COUNT=proxies)
    feed = app.test_client().get("/feeds/ideas.atom", headers=HTTPS_PROXY).get_data(as_text=True)
    assert ('href="https://localhost/' in feed) is bool(proxies)
