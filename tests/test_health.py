"""When the database is down: /healthz still answers, /readyz says so, and every page is a
friendly 503 with Retry-After (HTML or JSON), never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from tests.conftest import make_app, sign_in
from tests.servers import refused_port


@pytest.fixture
def cut_off(tmp_path) -> Iterator[Flask]:
    """The app pointed at a PostgreSQL where nothing listens: every connection is refused."""
    with refused_port() as port:
        yield make_app(f"postgresql+psycopg://postgres@127.0.0.1:{port}/gone",
                       PROPAGATE_EXCEPTIONS=False)


def test_healthz_answers_without_the_database(cut_off, client):
    for app in (cut_off, client.application):
        response = app.test_client().get("/healthz")
        assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_tells_whether_the_database_answers(cut_off, client):
    assert client.get("/readyz").get_json()["status"] == "ready"
    down = cut_off.test_client().get("/readyz")
    assert down.status_code == 503 and down.headers["Retry-After"] == "5"


@pytest.mark.parametrize("path", ["/", "/?sort=new", "/feeds/ideas.atom", "/ideas/1"])
def test_pages_are_a_friendly_503_while_the_database_is_down(cut_off, path, caplog):
    response = cut_off.test_client().get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "briefly unavailable" in page and "Traceback" not in page
    assert not [r for r in caplog.records if r.exc_info]


def test_scripts_get_json_and_members_a_page_drawn_as_for_a_visitor(cut_off):
    browser = cut_off.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = "1:some-token"
    page = browser.get("/ideas/new")
    assert page.status_code == 503 and "Log in" in page.get_data(as_text=True)
    api = browser.get("/", headers={"Accept": "application/json"})
    assert api.status_code == 503 and api.get_json()["status"] == 503


def test_the_database_going_away_after_the_view_is_the_same_friendly_503(app, member, caplog):
    """Between the view and the response (its personal parts filled in, say): Flask answers
    such an error as a 500 of its own, which must still be the 503 a page is."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def database_gone(response):
        if response.status_code == 200:  # the page drawn: the 503 that replaces it asks nothing
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return response

    app.after_request(database_gone)
    browser = sign_in(app.test_client(), member)
    page = browser.get("/")
    script = browser.get("/", headers={"Accept": "application/json"})

    assert page.status_code == script.status_code == 503
    assert page.headers["Retry-After"] == script.headers["Retry-After"] == "5"
    assert "briefly unavailable" in page.get_data(as_text=True)
    assert script.get_json()["status"] == 503
    assert not [r for r in caplog.records if r.exc_info]
