"""/decisions and its feed: every status change with its answer and every review summary,
newest first, filtered by status and category, paged, and fresh at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, User, utcnow
from ideaboard.services import ideas, reviews
from ideaboard.templating import full_date
from tests.views.test_feeds import all_categories_of, read_feed


def _decide(app, caretaker, idea_id: int, status: Status, response: str | None = None,
            days_ago: float = 0) -> None:
    with app.app_context():
        ideas.respond(db.session.get(Idea, idea_id), status, response,
                      db.session.get(User, caretaker.id),
                      at=utcnow() - timedelta(days=days_ago))
        db.session.commit()


def _summary(app, caretaker, text: str, days_ago: float) -> int:
    with app.app_context():
        review = reviews.start_review(db.session.get(User, caretaker.id))
        reviews.publish_summary(review, text, now=utcnow() - timedelta(days=days_ago))
        db.session.commit()
        return review.id


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2>(?:<a href="[^"]*">)?([^<]+)', html)


def test_decisions_list_status_changes_and_summaries_newest_first(
        app, visitor, caretaker, make_idea):
    planned = make_idea("Invite a CMIO")
    declined = make_idea("Daily chats")
    hidden = make_idea("A hidden idea")
    _decide(app, caretaker, planned, Status.PLANNED, "Booked for January.", days_ago=3)
    _decide(app, caretaker, declined, Status.DECLINED, "Once a week is enough.", days_ago=1)
    _decide(app, caretaker, hidden, Status.PLANNED, days_ago=0)
    with app.app_context():
        db.session.get(Idea, hidden).hidden_at = utcnow()
        db.session.commit()
    _summary(app, caretaker, "The community wants more **guests**.", days_ago=2)

    html = visitor.get("/decisions").get_data(as_text=True)

    assert _titles(html) == ["Daily chats", f"Review of the top ideas, {_today()}",
                             "Invite a CMIO"]
    assert "Once a week is enough." in html and "Booked for January." in html
    assert "more <strong>guests</strong>" in html
    assert "A hidden idea" not in html


def _today() -> str:
    return full_date(utcnow())


def test_decisions_filter_by_status_and_category_without_summaries(
        app, visitor, caretaker, make_idea):
    first, second = all_categories_of(app)[:2]
    planned = make_idea("Planned in the first", category=first.id)
    other = make_idea("Planned in the second", category=second.id)
    declined = make_idea("Declined in the first", category=first.id)
    for idea_id in (planned, other):
        _decide(app, caretaker, idea_id, Status.PLANNED)
    _decide(app, caretaker, declined, Status.DECLINED)
    _summary(app, caretaker, "A summary", days_ago=0)

    by_status = _titles(visitor.get("/decisions?status=planned").get_data(as_text=True))
    by_both = _titles(visitor.get(f"/decisions?status=planned&category={first.slug}")
                      .get_data(as_text=True))

    assert sorted(by_status) == ["Planned in the first", "Planned in the second"]
    assert by_both == ["Planned in the first"]
    assert visitor.get("/decisions?status=nonsense").status_code == 400
    assert visitor.get("/decisions?category=nonsense").status_code == 404


def test_paging_shows_every_decision_and_summary_once(app, visitor, caretaker, make_idea):
    app.config["IDEAS_PER_PAGE"] = 2
    for n in range(5):
        _decide(app, caretaker, make_idea(f"Idea {n}"), Status.PLANNED, days_ago=10 - 2 * n)
    for days_ago in (9, 5, 1, 20):
        _summary(app, caretaker, f"Summary {days_ago} days ago", days_ago=days_ago)

    seen, url = [], "/decisions"
    while url:
        html = visitor.get(url).get_data(as_text=True)
        seen += [re.sub(r"^Review.*", "review", t) for t in _titles(html)]
        found = re.search(r'href="([^"]*before=\d+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None

    assert seen == ["review", "Idea 4", "Idea 3", "review", "Idea 2", "Idea 1", "review",
                    "Idea 0", "review"]


def test_a_decision_is_on_the_page_at_once(app, visitor, caretaker, make_idea):
    idea_id = make_idea("Invite a CMIO")
    assert "Invite a CMIO" not in visitor.get("/decisions").get_data(as_text=True)

    _decide(app, caretaker, idea_id, Status.PLANNED)

    assert "Invite a CMIO" in visitor.get("/decisions").get_data(as_text=True)


@pytest.mark.parametrize("before", ["x", "-1", "1" * 30])
def test_a_cursor_that_is_not_an_id_is_refused(visitor, before):
    assert visitor.get(f"/decisions?before={before}").status_code == 400


def test_the_decisions_feed_carries_summaries_and_follows_the_filters(
        app, visitor, caretaker, make_idea):
    first, second = all_categories_of(app)[:2]
    planned = make_idea("Invite a CMIO", category=first.id)
    declined = make_idea("Daily chats", category=second.id)
    _decide(app, caretaker, planned, Status.PLANNED, "Booked.", days_ago=2)
    _decide(app, caretaker, declined, Status.DECLINED, days_ago=1)
    review_id = _summary(app, caretaker, "More **guests**.", days_ago=0)

    feed = read_feed(visitor, "/feeds/updates.atom")
    planned_only = read_feed(visitor, "/feeds/updates.atom?status=planned")
    in_category = read_feed(visitor, f"/feeds/updates.atom?category={first.slug}")

    assert [e.title for e in feed.entries][1:] == ["Daily chats: Open → Declined",
                                                    "Invite a CMIO: Open → Planned"]
    assert feed.entries[0].title.startswith("Review of the top ideas")
    assert feed.entries[0].link == f"http://localhost/decisions#review-{review_id}"
    assert "<strong>guests</strong>" in feed.entries[0].content[0].value
    assert [e.title for e in planned_only.entries] == ["Invite a CMIO: Open → Planned"]
    assert [e.title for e in in_category.entries] == ["Invite a CMIO: Open → Planned"]
    assert planned_only.feed.link == "http://localhost/decisions?status=planned"
    self_link = next(link.href for link in planned_only.feed.links if link.rel == "self")
    assert self_link == "http://localhost/feeds/updates.atom?status=planned"


def test_decisions_are_linked_from_every_page_with_their_feed(visitor):
    board = visitor.get("/").get_data(as_text=True)
    decisions = visitor.get("/decisions?status=planned").get_data(as_text=True)

    assert 'href="/decisions"' in board
    assert 'href="/feeds/updates.atom?status=planned"' in decisions


def test_an_unpublished_review_is_not_a_decision(app, visitor, caretaker, make_idea):
    make_idea()
    with app.app_context():
        reviews.start_review(db.session.get(User, caretaker.id))
        db.session.commit()

    assert "Review of the top ideas" not in visitor.get("/decisions").get_data(as_text=True)
