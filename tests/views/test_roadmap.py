"""/roadmap: planned, in progress and done in the last 90 days, each idea with its chats,
for everyone, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

from ideaboard.extensions import db
from ideaboard.models import Chat, ChatIdea, Idea, Status, User, utcnow
from ideaboard.services import ideas, roadmap, votes
from tests.test_query_counts import counting_queries


def _set_status(app, caretaker, idea_id: int, status: Status, days_ago: int = 0) -> None:
    with app.app_context():
        ideas.respond(db.session.get(Idea, idea_id), status, None,
                      db.session.get(User, caretaker.id), at=utcnow() - timedelta(days=days_ago))
        db.session.commit()


def _column(page: str, status: str) -> str:
    found = re.search(rf'aria-labelledby="roadmap-{status}">(.*?)</section>', page, re.S)
    assert found, page
    return found.group(1)


def test_the_roadmap_shows_each_decided_idea_in_its_column(
        app, visitor, caretaker, make_idea, make_user):
    planned = make_idea("Invite a CMIO")
    popular = make_idea("A chat on open notes")
    started = make_idea("Monthly AMA")
    done = make_idea("A transcript archive")
    long_done = make_idea("A hashtag guide")
    hidden = make_idea("A planned idea the caretaker hid")
    make_idea("Still open")
    for idea_id in (planned, popular, hidden):
        _set_status(app, caretaker, idea_id, Status.PLANNED)
    _set_status(app, caretaker, started, Status.IN_PROGRESS)
    _set_status(app, caretaker, done, Status.DONE, days_ago=10)
    _set_status(app, caretaker, long_done, Status.DONE, days_ago=100)
    with app.app_context():
        votes.cast_vote(make_user().id, popular)
        db.session.get(Idea, hidden).hidden_at = utcnow()
        chat = Chat(title="Open notes, a year on", starts_at=utcnow() + timedelta(days=4),
                    time_zone="UTC", host_handle="@host")
        db.session.add(chat)
        db.session.flush()
        db.session.add(ChatIdea(chat_id=chat.id, idea_id=popular))
        db.session.commit()

    response = visitor.get("/roadmap")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    planned_column = _column(page, "planned")
    assert planned_column.index("A chat on open notes") < planned_column.index("Invite a CMIO")
    assert "Planned for" in planned_column and "Open notes, a year on" in planned_column
    assert "A planned idea the caretaker hid" not in page
    assert "Monthly AMA" in _column(page, "in_progress")
    assert "A transcript archive" in _column(page, "done")
    assert "A hashtag guide" not in page  # done more than 90 days ago
    assert "Still open" not in page


def test_a_long_column_links_to_the_board_filtered_by_its_status(
        app, visitor, caretaker, make_idea, monkeypatch):
    monkeypatch.setattr(roadmap, "PER_COLUMN", 2)
    for n in range(3):
        _set_status(app, caretaker, make_idea(f"Planned idea {n}"), Status.PLANNED)

    page = visitor.get("/roadmap").get_data(as_text=True)

    assert _column(page, "planned").count('class="roadmap-card"') == 2
    assert 'href="/?status=planned"' in page
    assert "Nothing here yet." in _column(page, "in_progress")


def test_the_roadmap_costs_the_same_queries_for_one_idea_or_many(
        app, visitor, caretaker, make_idea):
    from ideaboard.pagecache import pages

    def queries() -> int:
        pages.clear()
        with counting_queries(app) as statements:
            assert visitor.get("/roadmap").status_code == 200
        return len(statements)

    _set_status(app, caretaker, make_idea("First"), Status.PLANNED)
    one = queries()
    for n in range(4):
        _set_status(app, caretaker, make_idea(f"Idea {n}"), Status.DONE)
        _set_status(app, caretaker, make_idea(f"Started {n}"), Status.IN_PROGRESS)

    assert queries() == one
