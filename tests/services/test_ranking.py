"""Ranking: every order computed by the database, ties broken deterministically, keyset pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, utcnow
from ideaboard.services import ideas, ranking, votes
from ideaboard.services.categories import all_categories
from ideaboard.services.maintenance import recompute_trending
from ideaboard.services.ranking import (
    HALF_LIFE,
    Filters,
    Sort,
    explain_rank,
    hidden_ideas,
    ranked_page,
    recent_vote_counts,
    trending_weight,
)


@pytest.fixture
def board(app, make_user):
    """Builds ideas at chosen ages with votes at chosen times, through the services."""
    voters = [make_user() for _ in range(12)]
    author = voters[0]

    def add(title: str, age_days: float, vote_ages: list[float], category: int = 0) -> int:
        now = utcnow()
        with app.app_context():
            idea = ideas.create_idea(author, title, "Text", all_categories()[category].id,
                                     at=now - timedelta(days=age_days))
            for voter, vote_age in zip(voters, vote_ages, strict=False):
                votes.cast_vote(voter.id, idea.id, at=now - timedelta(days=vote_age))
            db.session.commit()
            return idea.id

    return add


def _titles(sort: Sort, filters: Filters | None = None, per_page: int = 50) -> list[str]:
    page = ranked_page(sort, filters or Filters(), per_page)
    return [idea.title for idea in page.ideas]


def test_trending_prefers_a_fresh_idea_over_an_old_one_with_slightly_more_votes(app, board):
    board("Old favourite", age_days=60, vote_ages=[59, 58, 57, 56, 55])
    board("Fresh idea", age_days=2, vote_ages=[1.5, 1, 0.5, 0.2])
    with app.app_context():
        assert _titles(Sort.TOP) == ["Old favourite", "Fresh idea"]
        assert _titles(Sort.TRENDING) == ["Fresh idea", "Old favourite"]


def test_trending_counts_recent_votes_on_an_old_idea(app, board):
    board("Old but revived", age_days=200, vote_ages=[1, 1, 1, 0.5])
    board("Newer but quiet", age_days=20, vote_ages=[19, 19, 18])
    with app.app_context():
        assert _titles(Sort.TRENDING) == ["Old but revived", "Newer but quiet"]


def test_a_vote_loses_half_its_weight_each_half_life():
    now = utcnow()
    assert trending_weight(now - HALF_LIFE) == pytest.approx(trending_weight(now) / 2)


def test_incremental_trending_matches_a_recompute_from_rows(app, board, member):
    idea_id = board("Counted", age_days=10, vote_ages=[9, 3, 1])
    with app.app_context():
        votes.cast_vote(member.id, idea_id)
        votes.withdraw_vote(member.id, idea_id)
        db.session.commit()
        incremental = db.session.get(Idea, idea_id).trending_score
        recompute_trending()
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Idea, idea_id).trending_score == pytest.approx(incremental)


def test_top_and_discussed_break_ties_newer_first_then_by_id(app, board):
    board("Older", age_days=5, vote_ages=[1, 1])
    board("Newer", age_days=1, vote_ages=[1, 1])
    board("Most", age_days=9, vote_ages=[1, 1, 1])
    with app.app_context():
        assert _titles(Sort.TOP) == ["Most", "Newer", "Older"]
        assert _titles(Sort.DISCUSSED) == ["Newer", "Older", "Most"]
        assert _titles(Sort.NEW) == ["Newer", "Older", "Most"]


def test_same_moment_ties_fall_back_to_the_higher_id(app, make_user):
    author = make_user()
    at = utcnow()
    with app.app_context():
        first = ideas.create_idea(author, "Twin A", "x", all_categories()[0].id, at=at).id
        second = ideas.create_idea(author, "Twin B", "x", all_categories()[0].id, at=at).id
        db.session.commit()
        assert [i.id for i in ranked_page(Sort.TOP, Filters(), 10).ideas] == [second, first]


def test_keyset_pages_cover_every_idea_once_in_order(app, board):
    for n in range(7):
        board(f"Idea {n}", age_days=n, vote_ages=[1] * (n % 3))
    with app.app_context():
        whole = _titles(Sort.TOP)
        seen, after = [], None
        while True:
            page = ranked_page(Sort.TOP, Filters(), per_page=3, after=after)
            seen += [idea.title for idea in page.ideas]
            if page.next_after is None:
                break
            after = page.next_after
        assert seen == whole
        assert len(seen) == 7


def test_filters_by_category_and_status(app, board, caretaker):
    in_topic = board("About topics", age_days=1, vote_ages=[], category=1)
    board("About formats", age_days=1, vote_ages=[], category=0)
    with app.app_context():
        ideas.respond(db.session.get(Idea, in_topic), Status.PLANNED, "", caretaker)
        db.session.commit()
        topic_id = all_categories()[1].id
        assert _titles(Sort.NEW, Filters(category_id=topic_id)) == ["About topics"]
        assert _titles(Sort.NEW, Filters(status=Status.PLANNED)) == ["About topics"]
        assert _titles(Sort.NEW, Filters(status=Status.DONE)) == []


def test_hidden_and_withdrawn_ideas_leave_the_public_lists(app, board, caretaker):
    hidden = board("Hidden one", age_days=1, vote_ages=[])
    withdrawn = board("Withdrawn one", age_days=1, vote_ages=[])
    board("Visible one", age_days=1, vote_ages=[])
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, hidden), True, caretaker)
        ideas.withdraw_idea(db.session.get(Idea, withdrawn))
        db.session.commit()
        assert _titles(Sort.TOP) == ["Visible one"]
        assert [idea.title for idea in hidden_ideas()] == ["Hidden one"]


def test_recent_vote_counts_only_count_the_last_seven_days(app, board):
    idea_id = board("Mixed", age_days=30, vote_ages=[20, 10, 6, 2, 0.1])
    with app.app_context():
        assert recent_vote_counts([idea_id]) == {idea_id: 3}
        assert recent_vote_counts([]) == {}


def test_explain_rank_takes_the_trending_score_apart(app, board):
    board("Older and popular", age_days=30, vote_ages=[20, 15, 10, 9, 8])
    idea_id = board("Rising", age_days=14, vote_ages=[1, 2, 3, 10])

    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        why = explain_rank(idea)

    assert (why.votes, why.votes_this_week) == (4, 3)
    assert why.posted_worth == pytest.approx(0.25, rel=1e-3)  # two half-lives ago
    assert why.votes_worth == pytest.approx(sum(0.5 ** (d / 7) for d in (1, 2, 3, 10)),
                                            rel=1e-3)
    assert why.trending == pytest.approx(why.posted_worth + why.votes_worth, rel=1e-9)
    assert (why.top_rank, why.trending_rank) == (2, 1)


def test_explain_rank_counts_places_only_up_to_its_limit(app, board, monkeypatch):
    monkeypatch.setattr(ranking, "RANK_SHOWN", 2)
    for n in range(3):
        board(f"Voted {n}", age_days=1, vote_ages=[0.5])
    last = board("Nobody voted", age_days=1, vote_ages=[])
    hidden = board("Hidden, with votes", age_days=1, vote_ages=[0.1, 0.2])
    with app.app_context():
        db.session.get(Idea, hidden).hidden_at = utcnow()
        db.session.commit()
        first = db.session.scalar(select(Idea).where(Idea.title == "Voted 2"))
        assert ranking.explain_rank(first).top_rank == 1  # the hidden idea does not count
        assert ranking.explain_rank(db.session.get(Idea, last)).top_rank is None
