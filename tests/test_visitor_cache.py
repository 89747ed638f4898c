"""Whole responses for cookie-less visitors: served without Flask while the board is
unchanged (or for up to a second after a vote), never for anyone with a cookie, never a
response that starts a session."""

from __future__ import annotations

import pytest

from ideaboard.extensions import db
from ideaboard.services import votes
from ideaboard.services.freshness import VOTE_STALENESS_S
from tests.conftest import log_in


@pytest.fixture
def flask_requests(app) -> list[str]:
    """Paths of the requests that reached Flask (the visitor cache sits in front of it)."""
    reached: list[str] = []
    app.before_request(lambda: reached.append(_full_path()))
    return reached


def _full_path() -> str:
    from flask import request

    return request.full_path


def test_a_second_visitor_gets_the_same_response_without_flask(app, client, make_idea,
                                                              flask_requests):
    make_idea("Weekly chat recaps")
    first = client.get("/?sort=top")
    second = app.test_client().get("/?sort=top")
    assert flask_requests == ["/?sort=top"]
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert list(second.headers) == list(first.headers)
    assert "Weekly chat recaps" in second.get_data(as_text=True)


def test_a_change_to_the_board_is_seen_by_the_next_visitor(app, client, make_idea,
                                                           flask_requests):
    make_idea("First idea")
    assert "Second idea" not in client.get("/").get_data(as_text=True)
    make_idea("Second idea")
    assert "Second idea" in client.get("/").get_data(as_text=True)
    assert len(flask_requests) == 2


def test_a_vote_is_seen_by_visitors_within_a_second_not_at_the_cost_of_a_render(
        app, client, make_idea, member, flask_requests, clock):
    idea_id = make_idea()
    clock.stop()
    client.get("/")
    with app.app_context():
        votes.set_vote(member.id, idea_id, True)
    clock.advance(VOTE_STALENESS_S * 0.9)
    assert '<span class="vote-count">0</span>' in client.get("/").get_data(as_text=True)
    assert len(flask_requests) == 1  # served as it was kept, without Flask
    clock.advance(VOTE_STALENESS_S * 0.1)
    assert '<span class="vote-count">1</span>' in client.get("/").get_data(as_text=True)


def test_anyone_with_a_cookie_goes_to_flask(app, client, member, make_idea, flask_requests):
    make_idea()
    client.get("/")
    log_in(client, member)
    flask_requests.clear()
    page = client.get("/").get_data(as_text=True)
    assert flask_requests == ["/?"]
    assert "Log out" in page


def test_a_browser_that_has_the_page_gets_304_from_the_cache(app, client, make_idea,
                                                            flask_requests):
    make_idea()
    etag = client.get("/").headers["ETag"]
    response = app.test_client().get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert flask_requests == ["/?"]


def test_a_response_that_starts_a_session_is_never_kept(app, client, make_idea, flask_requests):
    """An idea's page gives visitors a comment form, with a CSRF token in their session."""
    idea_id = make_idea("With a comment form")
    url = client.get(f"/ideas/{idea_id}").headers["Location"]
    for _ in range(2):
        response = app.test_client().get(url)
        assert response.status_code == 200
        assert "Set-Cookie" in response.headers
    assert flask_requests.count(url + "?") == 2


def test_each_host_has_its_own_responses(app, client, make_idea, flask_requests):
    """The feed prints absolute links, so a response for one host never serves another."""
    make_idea("Feed entry")
    one = client.get("/feeds/ideas.atom", base_url="http://one.example").get_data(as_text=True)
    other = client.get("/feeds/ideas.atom", base_url="http://other.example").get_data(as_text=True)
    assert "http://one.example/" in one and "one.example" not in other
    assert len(flask_requests) == 2


def test_errors_and_other_methods_are_not_kept(app, client, flask_requests):
    for _ in range(2):
        assert client.get("/?sort=nonsense").status_code == 400
        assert client.head("/").status_code == 200
    assert len(flask_requests) == 4


def test_a_vote_by_another_instance_reaches_the_cached_response(app, client, make_idea,
                                                                member, clock):
    from tests.conftest import make_app

    idea_id = make_idea()
    client.get("/")
    other_instance = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    with other_instance.app_context():
        votes.cast_vote(member.id, idea_id)
        db.session.commit()
        db.engine.dispose()
    clock.advance(VOTE_STALENESS_S)
    assert '<span class="vote-count">1</span>' in client.get("/").get_data(as_text=True)
