"""The Atom feeds: valid RFC 4287 as a feed reader parses them (feedparser), public content
only, linked from the pages that show the same things, and answering conditional GETs."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, User
from ideaboard.services import comments, ideas, merging
from ideaboard.services.categories import all_categories

ATOM = "application/atom+xml"


def read_feed(client: FlaskClient, path: str) -> feedparser.FeedParserDict:
    """The feed at `path`, checked for what RFC 4287 requires of a feed and its entries."""
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == ATOM
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    for required in ("id", "title", "updated"):
        assert feed.feed.get(required), f"the feed has no <{required}>"
    assert any(link.rel == "self" for link in feed.feed.links)
    for entry in feed.entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.get(required), f"an entry has no <{required}>"
        assert entry.get("author") or feed.feed.get("author"), "an entry without an author"
    return feed


def change(app: Flask, action) -> None:
    """Run `action(session)` in an app context and commit, as a view does."""
    with app.app_context():
        action(db.session)
        db.session.commit()


def test_new_ideas_feed_lists_public_ideas_newest_first_escaped(app, client, make_idea,
                                                                 caretaker):
    make_idea("Older <idea>")
    hidden = make_idea("Hidden idea")
    make_idea("Newest idea", description="Some **bold** text")
    change(app, lambda s: ideas.set_idea_hidden(s.get(Idea, hidden), True, caretaker))

    feed = read_feed(client, "/feeds/ideas.atom")

    assert [entry.title for entry in feed.entries] == ["Newest idea", "Older <idea>"]
    assert "<strong>bold</strong>" in feed.entries[0].content[0].value
    assert feed.entries[0].link.startswith("http://localhost/ideas/")


def test_new_ideas_feed_is_updated_when_an_older_idea_is_edited(app, client, make_idea):
    older = make_idea("Older")
    make_idea("Newer")

    def edit_later(session):
        idea = session.get(Idea, older)
        ideas.edit_idea(idea, "Older, edited", "Text.", idea.category_id)
        idea.updated_at = idea.created_at + timedelta(hours=1)

    change(app, edit_later)

    feed = read_feed(client, "/feeds/ideas.atom")

    edited = next(entry for entry in feed.entries if entry.title == "Older, edited")
    assert feed.feed.updated_parsed == edited.updated_parsed
    assert edited.updated_parsed > edited.published_parsed


def test_new_ideas_feed_of_one_category(app, client, make_idea):
    first, second = all_categories_of(app)[:2]
    make_idea("In the first", category=first.id)
    make_idea("In the second", category=second.id)

    feed = read_feed(client, f"/feeds/ideas.atom?category={second.slug}")

    assert [entry.title for entry in feed.entries] == ["In the second"]
    assert f"category={second.slug}" in feed.feed.id
    assert client.get("/feeds/ideas.atom?category=no-such-thing").status_code == 404


def all_categories_of(app: Flask):
    with app.app_context():
        return all_categories()


def test_the_first_feed_address_moved_permanently(client):
    response = client.get("/feed.atom")
    assert response.status_code == 301
    assert response.headers["Location"] == "/feeds/ideas.atom"


def test_updates_feed_has_status_changes_and_responses_of_public_ideas(app, client,
                                                                       make_idea, caretaker):
    shown, hidden = make_idea("Monthly AMA"), make_idea("Secret plan")

    def decide(session):
        ideas.respond(session.get(Idea, shown), Status.PLANNED, "On the **March** list.",
                      caretaker)
        ideas.respond(session.get(Idea, hidden), Status.DECLINED, None, caretaker)
        ideas.set_idea_hidden(session.get(Idea, hidden), True, caretaker)

    change(app, decide)
    change(app, lambda s: ideas.respond(s.get(Idea, shown), Status.PLANNED,
                                        "Now on the April list.", caretaker))
    change(app, lambda s: ideas.respond(s.get(Idea, shown), Status.PLANNED, "", caretaker))

    feed = read_feed(client, "/feeds/updates.atom")

    assert [entry.title for entry in feed.entries] == [
        "Monthly AMA: official response withdrawn", "Monthly AMA: official response",
        "Monthly AMA: Open → Planned"]
    assert "<strong>March</strong>" in feed.entries[2].content[0].value
    assert feed.entries[1].author == caretaker.display_name
    assert "Secret plan" not in client.get("/feeds/updates.atom").get_data(as_text=True)


def test_comments_feed_has_an_ideas_public_comments_newest_first(app, client, make_idea,
                                                                 member, caretaker):
    idea_id = make_idea("Monthly AMA")

    def discuss(session):
        idea = session.get(Idea, idea_id)
        comments.add_member_comment(idea, member, "First, and *kind*.")
        comments.add_guest_comment(idea, "Visitor <b>", "visitor@example.org", "Second.")
        hidden = comments.add_member_comment(idea, member, "Rude.")
        comments.add_guest_comment(idea, "Waiting", None, "Held for approval.", held=True)
        session.flush()
        comments.set_comment_hidden(hidden, True, caretaker)

    change(app, discuss)

    response = client.get(f"/ideas/{idea_id}/comments.atom")
    feed = read_feed(client, f"/ideas/{idea_id}/comments.atom")

    assert [entry.title for entry in feed.entries] == ["Comment by Visitor <b>",
                                                       f"Comment by {member.display_name}"]
    assert "<em>kind</em>" in feed.entries[1].content[0].value
    body = response.get_data(as_text=True)
    assert "visitor@example.org" not in body and "Rude" not in body and "Held" not in body
    assert feed.entries[0].link.startswith("http://localhost/ideas/comments/")


def test_no_comments_feed_for_an_idea_not_everyone_may_read(app, client, caretaker_client,
                                                            make_idea, caretaker):
    hidden, kept, merged = make_idea("Hidden"), make_idea("Kept"), make_idea("Merged")

    def hide_and_merge(session):
        ideas.set_idea_hidden(session.get(Idea, hidden), True, caretaker)
        merging.merge(session.get(Idea, merged), session.get(Idea, kept), caretaker)

    change(app, hide_and_merge)

    for idea_id in (hidden, merged, 2_147_483_647):
        assert client.get(f"/ideas/{idea_id}/comments.atom").status_code == 404
        assert caretaker_client.get(f"/ideas/{idea_id}/comments.atom").status_code == 404
    assert client.get(f"/ideas/{kept}/comments.atom").status_code == 200


@pytest.mark.parametrize("path", ["/feeds/ideas.atom", "/feeds/updates.atom",
                                  "/ideas/{idea}/comments.atom"])
def test_feeds_answer_conditional_gets_until_what_they_show_changes(app, client, make_idea,
                                                                    member, caretaker, path):
    idea_id = make_idea("Monthly AMA")
    path = path.format(idea=idea_id)
    first = client.get(path)
    etag = first.headers["ETag"]

    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304

    def news(session):
        idea = session.get(Idea, idea_id)
        comments.add_member_comment(idea, member, "A new comment.")
        ideas.respond(idea, Status.PLANNED, "Planned.", caretaker)
        ideas.create_idea(session.get(User, member.id), "A newer idea", "Text.",
                          all_categories()[0].id)

    change(app, news)

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_pages_link_the_feeds_of_what_they_show(app, client, make_idea):
    category = all_categories_of(app)[1]
    idea_id = make_idea("Monthly AMA", category=category.id)
    link = '<link rel="alternate" type="application/atom+xml"'

    board = client.get("/").get_data(as_text=True)
    assert f'{link} title="Newest ideas" href="/feeds/ideas.atom">' in board
    assert 'href="/feeds/updates.atom"' in board
    filtered = client.get(f"/?category={category.slug}").get_data(as_text=True)
    assert f'href="/feeds/ideas.atom?category={category.slug}"' in filtered
    idea_page = client.get(f"/ideas/{idea_id}", follow_redirects=True).get_data(as_text=True)
    assert f'href="/ideas/{idea_id}/comments.atom"' in idea_page


def test_a_feeds_own_address_ignores_extra_arguments(client, make_idea):
    make_idea("Monthly AMA")
    client.get("/feeds/ideas.atom?utm_source=x&evil=%22")
    feed = read_feed(client, "/feeds/ideas.atom")
    assert feed.feed.id == "http://localhost/feeds/ideas.atom"


