"""The board's generations: content up after every commit that changes pages but for votes,
votes up after every vote, never otherwise; and how long a kept page stays fresh."""

from __future__ import annotations

import pytest

from ideaboard.database import hot_connections
from ideaboard.extensions import db
from ideaboard.models import Comment
from ideaboard.services import comments, ideas, votes
from ideaboard.services.freshness import (
    VOTE_STALENESS_S,
    Generation,
    current_generation,
    still_fresh,
)
from tests.conftest import get_idea


def _generation(app) -> Generation:
    with app.app_context():
        return current_generation()


def test_each_vote_bumps_the_vote_generation_once_committed(app, make_idea, member):
    idea_id = make_idea()
    changes = [
        lambda: votes.cast_vote(member.id, idea_id),
        lambda: votes.withdraw_vote(member.id, idea_id),
        lambda: votes.set_vote(member.id, idea_id, True),  # commits on its own
        lambda: votes.set_vote(member.id, idea_id, False),
    ]
    for change in changes:
        before = _generation(app)
        with app.app_context():
            change()
            db.session.commit()
        assert _generation(app) == before._replace(votes=before.votes + 1)


def test_each_comment_bumps_the_comment_and_vote_generations_once_committed(app, make_idea,
                                                                           caretaker):
    idea_id = make_idea()
    with app.app_context():
        comment_id = comments.add_guest_comment(get_idea(app, idea_id), "V", None, "Hi").id
        db.session.commit()
    changes = [
        lambda: comments.add_guest_comment(get_idea(app, idea_id), "V", None, "Hi"),
        lambda: comments.set_comment_hidden(db.session.get(Comment, comment_id), True,
                                            caretaker),
        lambda: comments.set_comment_hidden(db.session.get(Comment, comment_id), False,
                                            caretaker),
    ]
    for change in changes:
        before = _generation(app)
        with app.app_context():
            change()
            db.session.commit()
        assert _generation(app) == Generation(before.content, before.votes + 1,
                                              before.comments + 1)


def test_each_other_change_bumps_the_content_generation_once_committed(app, make_idea,
                                                                      caretaker):
    idea_id = make_idea()
    before = _generation(app)
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(type(get_idea(app, idea_id)), idea_id), True,
                              caretaker)
        db.session.commit()
    assert _generation(app) == before._replace(content=before.content + 1)


@pytest.mark.parametrize(("kept", "age", "fresh"), [
    (Generation(5, 9), 100.0, True),                        # nothing changed: fresh however old
    (Generation(5, 8), 0.0, True),                          # a vote since, page just rendered
    (Generation(5, 8), VOTE_STALENESS_S - 0.01, True),
    (Generation(5, 8), VOTE_STALENESS_S, False),            # a second: the vote must show
    (Generation(4, 9), 0.0, False),                         # anything else: stale at once
])
def test_a_kept_page_misses_a_vote_for_less_than_a_second_and_nothing_else(kept, age, fresh):
    assert still_fresh(kept, 1000.0 - age, Generation(5, 9), now=1000.0) is fresh


@pytest.mark.parametrize(("shows_threads", "age", "fresh"), [
    (False, 0.0, True),                         # a list misses a comment's count for a while
    (False, VOTE_STALENESS_S, False),           # and no longer than a vote
    (True, 0.0, False),                         # an idea's page shows the comment at once
])
def test_a_comment_is_at_once_on_thread_pages_and_within_a_second_on_lists(
        shows_threads, age, fresh):
    kept, current = Generation(5, 9, 3), Generation(5, 10, 4)  # a comment bumps both
    assert still_fresh(kept, 1000.0 - age, current, 1000.0, shows_threads) is fresh


def test_no_bump_for_rolled_back_or_idle_commits(app, make_idea, member):
    idea_id = make_idea()
    before = _generation(app)
    with app.app_context():
        votes.cast_vote(member.id, idea_id)
        db.session.rollback()
        votes.withdraw_vote(member.id, idea_id)  # nothing to withdraw: changes nothing
        db.session.commit()
        votes.set_vote(member.id, idea_id, False)  # the same, in a transaction of its own
    assert _generation(app) == before


def test_no_bump_for_a_vote_already_as_asked(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        votes.set_vote(member.id, idea_id, True)
        before = current_generation()
        assert votes.set_vote(member.id, idea_id, True).vote_count == 1
    assert _generation(app) == before


def test_no_bump_for_a_vote_refused(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(type(get_idea(app, idea_id)), idea_id), True,
                              member)
        db.session.commit()
    before = _generation(app)
    with app.app_context(), pytest.raises(votes.NotOnTheBoard):
        votes.set_vote(member.id, idea_id, True)
    assert _generation(app) == before


def test_a_broken_reader_connection_is_replaced(app, make_idea, member):
    """After the database drops the reader's connection, the next read still answers."""
    with app.app_context():
        first = current_generation()
        reader = app.extensions["ideaboard.hot_connections"]
        for slot in reader._idle:
            slot.connection.driver_connection.close()
        assert current_generation() == first


@pytest.fixture
def hot_reads(app, monkeypatch) -> list[str]:
    """The SQL of every read on the hot connections (the generation, the member, votes)."""
    reads: list[str] = []
    with app.app_context():
        connections = hot_connections()
    read = connections.rows

    def counted(sql, params=None):
        reads.append(sql)
        return read(sql, params)

    monkeypatch.setattr(connections, "rows", counted)
    return reads


def _generation_reads(reads: list[str]) -> int:
    return sum("board_state" in sql for sql in reads)


def test_a_visitors_idea_page_reads_the_generation_once(app, make_idea, hot_reads):
    idea_id = make_idea()
    page = app.test_client().get(f"/ideas/{idea_id}", follow_redirects=True)
    assert page.status_code == 200
    # Per request: the redirect to the canonical URL, then the page (it passes the visitor
    # cache, which reads the generation first, to Flask's page cache).
    assert _generation_reads(hot_reads) == 2


def test_a_members_page_reads_the_generation_with_the_member(app, member_client, make_idea,
                                                              hot_reads):
    make_idea()
    assert member_client.get("/").status_code == 200
    assert len(hot_reads) == 2  # the member and the generation, then their votes on the page
    assert "users" in hot_reads[0] and "board_state" in hot_reads[0]
    assert _generation_reads(hot_reads) == 1


def test_only_a_get_request_keeps_the_generation_it_read(app, make_idea, member):
    from ideaboard.services.freshness import note_generation

    idea_id = make_idea()
    before = _generation(app)
    noted = before._replace(content=before.content - 1)
    voted = before._replace(votes=before.votes + 1)
    for method, expected in (("GET", noted), ("POST", voted)):
        with app.test_request_context("/", method=method):
            note_generation(noted)
            if method == "POST":  # a POST may change the board before it reads again
                votes.set_vote(member.id, idea_id, True)
            assert current_generation() == expected
