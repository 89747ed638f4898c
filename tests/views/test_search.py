"""The search page, the header's search box, and where the new-idea form asks for
similar ideas."""

from __future__ import annotations

import re

from ideaboard.extensions import db
from ideaboard.models import Idea
from ideaboard.services import ideas, search


def test_every_page_has_the_search_box(client):
    for path in ("/", "/login", "/chats", "/search"):
        page = client.get(path).get_data(as_text=True)
        assert 'role="search"' in page and 'action="/search"' in page, path


def test_results_are_highlighted_filtered_and_paged(client, make_idea):
    make_idea("Telehealth <em>now</em>", description="Rural clinics")
    page = client.get("/search?q=telehealth").get_data(as_text=True)

    assert "<mark>Telehealth</mark> &lt;em&gt;now&lt;/em&gt;" in page
    assert 'value="telehealth"' in page  # the query stays in the box
    other = client.get("/search?q=telehealth&category=other").get_data(as_text=True)
    assert "No idea matches all of “telehealth” with these filters" in other


def test_queries_with_no_words_or_nothing_found_say_so(client, make_idea):
    make_idea("Telehealth now")
    assert "Type a few words" in client.get("/search").get_data(as_text=True)
    assert "very common words" in client.get("/search?q=the+of").get_data(as_text=True)
    assert "No idea matches all of “genomics”" in client.get(
        "/search?q=genomics").get_data(as_text=True)


def test_bad_filters_and_pages(client):
    assert client.get("/search?q=x&category=nope").status_code == 404
    assert client.get("/search?q=x&status=maybe").status_code == 400
    assert client.get(f"/search?q=x&page={search.MAX_PAGE + 1}").status_code == 404
    assert client.get("/search?q=x&page=0").status_code == 200  # the first page
    assert client.get("/search?q=x&page=abc").status_code == 400


def test_hidden_ideas_are_never_found(app, client, make_idea, caretaker):
    idea_id = make_idea("Telehealth secret")
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, idea_id), True, caretaker)
        db.session.commit()
    assert "Telehealth secret" not in client.get("/search?q=telehealth").get_data(as_text=True)


def test_the_new_idea_form_asks_the_api_for_similar_ideas(member_client, make_idea):
    """similar.js appends the typed title as q= to this address (tests/e2e types it)."""
    idea_id = make_idea("Telehealth for rural clinics")
    page = member_client.get("/ideas/new").get_data(as_text=True)
    url = re.search(r'data-similar-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert url.startswith("/api/v1/ideas?")
    found = member_client.get(f"{url}&q=rural+telehealth").get_json()["ideas"]
    assert [(i["id"], i["title"]) for i in found] == [(idea_id, "Telehealth for rural clinics")]
    assert {"votes", "status", "url"} <= found[0].keys()


def test_the_last_page_of_a_broad_search_says_to_narrow_it(client, make_idea, monkeypatch):
    monkeypatch.setattr(search, "MAX_PAGE", 2)
    monkeypatch.setattr(search, "MAX_CANDIDATES", 2 * search.PER_PAGE)
    for n in range(2 * search.PER_PAGE + 1):
        make_idea(f"Telehealth idea {n}")

    first = client.get("/search?q=telehealth").get_data(as_text=True)
    last = client.get("/search?q=telehealth&page=2").get_data(as_text=True)

    assert "add a word to narrow" not in first and 'rel="next"' in first
    assert "Searches show at most 2 pages" in last and 'rel="next"' not in last
