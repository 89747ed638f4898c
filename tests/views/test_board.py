"""The public board: orders, filters, pages, and what visitors and members see."""

from __future__ import annotations

import re

from ideaboard.extensions import db
from ideaboard.services import votes
from ideaboard.services.categories import all_categories


def _titles(page: str) -> list[str]:
    return re.findall(r'class="idea-title" id="[^"]+"><a href="[^"]+">([^<]+)</a>', page)


def test_board_offers_the_four_orders_and_marks_the_current_one(client):
    page = client.get("/?sort=trending").get_data(as_text=True)
    for label in ("Top", "Trending", "New", "Most discussed"):
        assert f">{label}</a>" in page
    assert 'href="/?sort=trending" aria-current="page"' in page


def test_default_order_is_top(app, client, make_idea, make_user):
    make_idea("Fewer votes")
    loved = make_idea("More votes")
    voter = make_user()
    with app.app_context():
        votes.cast_vote(voter.id, loved)
        db.session.commit()
    assert _titles(client.get("/").get_data(as_text=True)) == ["More votes", "Fewer votes"]
    assert _titles(client.get("/?sort=new").get_data(as_text=True)) == [
        "More votes", "Fewer votes"]


def test_board_pages_with_next_links(app, client, make_idea):
    app.config["IDEAS_PER_PAGE"] = 2
    for n in range(5):
        make_idea(f"Idea number {n}")
    seen, url = [], "/?sort=new"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _titles(page)
        match = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert seen == [f"Idea number {n}" for n in reversed(range(5))]


def test_filter_by_category_and_status(app, client, make_idea):
    with app.app_context():
        topic, host = all_categories()[1], all_categories()[2]
    make_idea("About a topic", category=topic.id)
    make_idea("About a host", category=host.id)
    page = client.get(f"/?category={topic.slug}").get_data(as_text=True)
    assert _titles(page) == ["About a topic"]
    assert _titles(client.get("/?status=done").get_data(as_text=True)) == []
    assert "No ideas match these filters." in client.get("/?status=done").get_data(as_text=True)


def test_unknown_query_values_get_clear_errors(client):
    assert client.get("/?sort=best").status_code == 400
    assert client.get("/?status=shipped").status_code == 400
    assert client.get("/?after=abc").status_code == 400
    assert client.get("/?category=nope").status_code == 404


def test_empty_board_says_what_to_do(client):
    assert "No ideas yet" in client.get("/").get_data(as_text=True)


def test_vote_button_shows_pressed_state_for_the_member(app, member_client, member, make_idea):
    voted = make_idea("Voted idea")
    make_idea("Other idea")
    with app.app_context():
        votes.cast_vote(member.id, voted)
        db.session.commit()
    page = member_client.get("/").get_data(as_text=True)
    assert page.count('aria-pressed="true"') == 1
    assert page.count('aria-pressed="false"') == 1


def test_query_arguments_named_like_url_for_options_are_ignored(client, make_idea, app):
    app.config["IDEAS_PER_PAGE"] = 1
    make_idea("One")
    make_idea("Two")
    response = client.get("/?_external=1&_scheme=javascript&_anchor=x&_method=GET")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    next_link = re.search(r'<a href="([^"]*)" rel="next">', page).group(1)
    assert next_link.startswith("/?") and "_" not in next_link and "#" not in next_link
