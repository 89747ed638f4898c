"""No query per row: a page costs the same number of queries with 3 ideas or 30."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from ideaboard.extensions import db
from ideaboard.pagecache import pages
from ideaboard.services import comments, votes
from tests.conftest import get_idea, sign_in


@contextmanager
def counting_queries(app):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries_for(app, client, path: str) -> int:
    pages.clear()
    with counting_queries(app) as statements:
        assert client.get(path, follow_redirects=True).status_code == 200
    return len(statements)


def _board_with(app, make_idea, make_user, voter, n: int) -> list[int]:
    """n ideas, each by its own author, voted for by `voter` and commented on."""
    ids = [make_idea(f"Idea number {i}", author=make_user()) for i in range(n)]
    with app.app_context():
        for idea_id in ids:
            votes.cast_vote(voter.id, idea_id)
            comments.add_guest_comment(get_idea(app, idea_id), "V", None, "Hi")
        db.session.commit()
    return ids


def test_board_and_feed_queries_do_not_grow_with_rows(app, caretaker_client, caretaker,
                                                      make_idea, make_user):
    app.config["IDEAS_PER_PAGE"] = 50
    _board_with(app, make_idea, make_user, caretaker, 3)
    few = {path: _queries_for(app, caretaker_client, path)
           for path in ("/", "/?sort=trending", "/feeds/ideas.atom", "/caretaker")}
    _board_with(app, make_idea, make_user, caretaker, 27)
    many = {path: _queries_for(app, caretaker_client, path) for path in few}
    assert many == few


def test_idea_page_queries_do_not_grow_with_the_thread(app, client, make_idea, make_user):
    idea_id = make_idea()
    idea = get_idea(app, idea_id)
    with app.app_context():
        comments.add_guest_comment(idea, "V", None, "first")
        db.session.commit()
    few = _queries_for(app, client, f"/ideas/{idea_id}")
    members = [make_user() for _ in range(10)]
    with app.app_context():
        for n in range(30):
            comments.add_guest_comment(idea, f"Visitor {n}", None, "more")
        for member in members:
            answered = comments.add_member_comment(idea, member, "from a member")
            comments.add_guest_comment(idea, "V", None, "a reply", parent=answered)
        db.session.commit()
    assert _queries_for(app, client, f"/ideas/{idea_id}") == few


def test_profile_and_my_lists_do_not_grow_with_rows(app, member, make_idea, make_user):
    client = sign_in(app.test_client(), member)
    paths = (f"/members/{member.id}", f"/members/{member.id}/comments", "/account/ideas",
             "/account/votes")

    def add(n: int) -> None:
        for i in range(n):
            idea_id = make_idea(f"Idea {n}-{i}", author=member)
            with app.app_context():
                votes.cast_vote(member.id, make_idea(f"Voted {n}-{i}", author=make_user()))
                comments.add_member_comment(get_idea(app, idea_id), member, "Mine")
                db.session.commit()

    add(1)
    few = {path: _queries_for(app, client, path) for path in paths}
    add(12)
    assert {path: _queries_for(app, client, path) for path in paths} == few
