"""Share cards: the idea pages, /chats and /decisions tell link previews (Open Graph,
Twitter cards) and search engines what they are, and an idea offers a post ready to share."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ideaboard.extensions import db
from ideaboard.models import User
from ideaboard.services import settings


def _meta(page: str) -> dict[str, str]:
    found = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', page))
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)
    if canonical:
        found["canonical"] = canonical.group(1)
    return {key: html_lib.unescape(value) for key, value in found.items()}


def test_an_idea_page_is_an_article_card_with_its_excerpt_and_address(visitor, make_idea):
    idea_id = make_idea("Invite a CMIO & a CNIO <b>", description="A **guest** who led a go-live.")

    page = visitor.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)

    meta = _meta(page)
    url = f"http://localhost/ideas/{idea_id}-invite-a-cmio-a-cnio-b"
    assert meta["canonical"] == meta["og:url"] == url
    assert meta["og:title"] == meta["twitter:title"] == "Invite a CMIO & a CNIO <b>"
    assert meta["og:description"] == meta["description"] == "A guest who led a go-live."
    assert meta["twitter:description"] == "A guest who led a go-live."
    assert (meta["og:type"], meta["og:site_name"], meta["twitter:card"]) == (
        "article", "Ideaboard", "summary")
    assert '<b>"' not in page  # the title is escaped in the attribute


@pytest.mark.parametrize(("path", "canonical", "title"), [
    ("/chats", "http://localhost/chats", "Upcoming chats"),
    ("/chats?show=past", "http://localhost/chats?show=past", "Past chats"),
    ("/decisions?status=planned", "http://localhost/decisions", "Decisions"),
])
def test_chats_and_decisions_have_cards_of_their_own(visitor, path, canonical, title):
    meta = _meta(visitor.get(path).get_data(as_text=True))

    assert meta["canonical"] == meta["og:url"] == canonical
    assert meta["og:title"] == title and meta["og:type"] == "website"
    assert "#HITsm" in meta["og:description"] and meta["og:description"] == meta["description"]


def test_an_error_page_claims_no_address(visitor):
    page = visitor.get("/ideas/999").get_data(as_text=True)

    assert "canonical" not in _meta(page) and "og:url" not in _meta(page)


def test_share_links_carry_the_title_the_address_and_the_chat_hashtag(
        app, visitor, caretaker, make_idea):
    with app.app_context():
        settings.change(db.session.get(User, caretaker.id), chat_hashtag="#HITchat")
        db.session.commit()
    idea_id = make_idea("Invite a CMIO")

    page = visitor.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)

    links = re.findall(r'<a href="(https://(?:x\.com|bsky\.app)/[^"]+)" target="_blank" '
                       r'rel="noopener">', page)
    assert [urlsplit(html_lib.unescape(link)).netloc for link in links] == ["x.com", "bsky.app"]
    for link in links:
        [text] = parse_qs(urlsplit(html_lib.unescape(link)).query)["text"]
        assert text == (f"Invite a CMIO http://localhost/ideas/{idea_id}-invite-a-cmio "
                        "#HITchat")
