"""Reviews: the snapshot of the top ideas, the report against the review before, the weekly
votes behind each chart, and the public summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ideaboard.extensions import db
from ideaboard.models import Idea, Review, User, utcnow
from ideaboard.services import reviews, votes
from tests.test_query_counts import counting_queries


def _vote(app, voters, idea_id: int, n: int, days_ago: float = 0) -> None:
    with app.app_context():
        for voter in voters[:n]:
            votes.cast_vote(voter.id, idea_id, at=utcnow() - timedelta(days=days_ago))
        db.session.commit()


@pytest.fixture
def voters(make_user) -> list[User]:
    return [make_user(f"Voter {n}") for n in range(6)]


def _start(app, caretaker, days_ago: float = 0) -> int:
    with app.app_context():
        review = reviews.start_review(db.session.get(User, caretaker.id),
                                      now=utcnow() - timedelta(days=days_ago))
        db.session.commit()
        return review.id


def _report(app, review_id: int) -> reviews.Report:
    with app.app_context():
        return reviews.report(db.session.get(Review, review_id))


def test_a_review_keeps_the_top_ideas_with_their_votes_and_trending_score(
        app, caretaker, make_idea, voters, monkeypatch):
    monkeypatch.setattr(reviews, "TOP", 2)
    first, second, third = make_idea("First"), make_idea("Second"), make_idea("Third")
    _vote(app, voters, first, 3)
    _vote(app, voters, second, 2, days_ago=7)  # each of these is worth half a vote now

    report = _report(app, _start(app, caretaker))

    rows = [(r.now.rank, r.now.idea_id, r.now.vote_count) for r in report.rows]
    assert rows == [(1, first, 3), (2, second, 2)]
    assert third not in {r.now.idea_id for r in report.rows}
    # trending is the decayed count: the idea's creation (1) and its votes at their worth
    assert report.rows[0].now.trending == pytest.approx(4, rel=1e-3)
    assert report.rows[1].now.trending == pytest.approx(1 + 2 * 0.5, rel=1e-3)
    assert report.previous is None and report.dropped == []
    assert all(r.rank_change is None and r.votes_gained is None for r in report.rows)


def test_the_next_review_shows_moves_votes_gained_and_ideas_that_dropped_out(
        app, caretaker, make_idea, voters, monkeypatch):
    monkeypatch.setattr(reviews, "TOP", 2)
    climber, steady, faller = make_idea("Climber"), make_idea("Steady"), make_idea("Faller")
    _vote(app, voters, faller, 3)
    _vote(app, voters, steady, 2)
    before = _start(app, caretaker)
    _vote(app, voters, climber, 5)
    _vote(app, voters, steady, 4)

    report = _report(app, _start(app, caretaker))

    assert report.previous.id == before
    by_idea = {row.now.idea_id: row for row in report.rows}
    assert by_idea[climber].now.rank == 1 and by_idea[climber].rank_change is None  # new
    assert by_idea[steady].now.rank == 2 and by_idea[steady].rank_change == 0
    assert by_idea[steady].votes_gained == 2
    assert [(s.idea_id, s.rank, s.vote_count) for s in report.dropped] == [(faller, 1, 3)]


def test_ranks_moving_down_count_as_negative_change(app, caretaker, make_idea, voters,
                                                    monkeypatch):
    monkeypatch.setattr(reviews, "TOP", 3)
    a, b = make_idea("A"), make_idea("B")
    _vote(app, voters, a, 2)
    _vote(app, voters, b, 1)
    _start(app, caretaker)
    _vote(app, voters[2:], b, 3)

    rows = {row.now.idea_id: row for row in _report(app, _start(app, caretaker)).rows}

    assert rows[b].rank_change == 1 and rows[a].rank_change == -1


def test_weekly_votes_count_each_of_the_last_eight_weeks_oldest_first(app, make_idea, voters):
    idea = make_idea()
    quiet = make_idea("Nobody votes")
    _vote(app, voters, idea, 2, days_ago=1)
    _vote(app, voters[2:], idea, 1, days_ago=9)
    _vote(app, voters[3:], idea, 1, days_ago=8 * 7 - 1)
    _vote(app, voters[4:], idea, 1, days_ago=8 * 7 + 1)  # before the chart's first week

    with app.app_context():
        weekly = reviews.weekly_votes([idea, quiet], utcnow())

    assert weekly[idea] == [1, 0, 0, 0, 0, 0, 1, 2]
    assert weekly[quiet] == [0] * 8


def test_a_report_costs_the_same_queries_for_one_idea_or_twenty(
        app, caretaker, make_idea, voters):
    _vote(app, voters, make_idea(), 1)
    _start(app, caretaker)
    small = _start(app, caretaker)
    for n in range(25):
        _vote(app, voters, make_idea(f"Idea {n}"), n % 5)
    _start(app, caretaker)
    large = _start(app, caretaker)

    with app.app_context():
        with counting_queries(app) as one:
            reviews.report(db.session.get(Review, small))
        with counting_queries(app) as twenty:
            reviews.report(db.session.get(Review, large))

    assert len(twenty) == len(one) <= 5


def test_a_summary_is_published_once_kept_dated_and_removed_when_emptied(app, caretaker):
    review_id = _start(app, caretaker)
    first_day = utcnow() - timedelta(days=2)
    with app.app_context():
        review = db.session.get(Review, review_id)
        reviews.publish_summary(review, "We will **invite** a CMIO. <script>x()</script>",
                                now=first_day)
        reviews.publish_summary(review, "We will invite a CMIO in January.")
        db.session.commit()
        assert review.published_at == first_day
        assert review.summary_html == "<p>We will invite a CMIO in January.</p>\n"
        reviews.publish_summary(review, "   ")
        db.session.commit()
        assert (review.summary, review.summary_html, review.published_at) == (None, None, None)


def test_a_summary_is_rendered_from_markdown_and_sanitised(app, caretaker):
    review_id = _start(app, caretaker)
    with app.app_context():
        review = db.session.get(Review, review_id)
        reviews.publish_summary(review, "We **will**. <script>alert(1)</script>")
        assert "<strong>will</strong>" in review.summary_html
        assert "<script>" not in review.summary_html


def test_an_idea_deleted_later_leaves_the_review(app, caretaker, make_idea, voters):
    gone = make_idea("Gone")
    kept = make_idea("Kept")
    _vote(app, voters, kept, 1)
    review_id = _start(app, caretaker)
    with app.app_context():
        db.session.delete(db.session.get(Idea, gone))
        db.session.commit()

    assert [row.now.idea_id for row in _report(app, review_id).rows] == [kept]
