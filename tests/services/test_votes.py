"""Votes: one per member per idea, counts equal rows, also under concurrent toggling."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ideaboard.extensions import db
from ideaboard.models import Idea, Vote, utcnow
from ideaboard.services import votes
from ideaboard.services.ranking import trending_weight


def _vote_rows(idea_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id))


def test_voting_twice_leaves_one_vote(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        assert votes.cast_vote(member.id, idea_id) is True
        assert votes.cast_vote(member.id, idea_id) is False
        db.session.commit()
        assert _vote_rows(idea_id) == 1
        assert votes.current_vote_count(idea_id) == 1


def test_unvoting_without_a_vote_changes_nothing(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        score = db.session.get(Idea, idea_id).trending_score
        assert votes.withdraw_vote(member.id, idea_id) is False
        db.session.commit()
        db.session.expire_all()
        idea = db.session.get(Idea, idea_id)
        assert (idea.vote_count, idea.trending_score) == (0, score)


def test_vote_and_unvote_move_count_and_trending_together(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        before = db.session.get(Idea, idea_id).trending_score
        votes.cast_vote(member.id, idea_id)
        db.session.commit()
        db.session.expire_all()
        voted = db.session.get(Idea, idea_id)
        assert voted.vote_count == 1
        assert voted.trending_score == pytest.approx(before + trending_weight(utcnow()), rel=1e-6)
        votes.withdraw_vote(member.id, idea_id)
        db.session.commit()
        db.session.expire_all()
        back = db.session.get(Idea, idea_id)
        assert back.vote_count == 0
        assert back.trending_score == pytest.approx(before, rel=1e-9)


def test_a_toggle_moves_trending_by_the_weight_of_its_vote_and_back(app, make_idea, member):
    """set_vote's own statements (one on PostgreSQL, which computes the weight it takes
    back itself) keep trending_score the sum of its votes' weights."""
    idea_id = make_idea()
    with app.app_context():
        before = db.session.get(Idea, idea_id).trending_score
        db.session.rollback()
        assert votes.set_vote(member.id, idea_id, True) == votes.VoteState(True, 1)
        voted_at = db.session.scalar(select(Vote.created_at).where(Vote.idea_id == idea_id))
        assert db.session.get(Idea, idea_id).trending_score == pytest.approx(
            before + trending_weight(voted_at), rel=1e-12)
        db.session.rollback()
        assert votes.set_vote(member.id, idea_id, False) == votes.VoteState(False, 0)
        db.session.expire_all()
        assert db.session.get(Idea, idea_id).trending_score == pytest.approx(before, rel=1e-12)


def test_the_schema_refuses_a_second_vote_row(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        db.session.add(Vote(user_id=member.id, idea_id=idea_id))
        db.session.commit()
        db.session.add(Vote(user_id=member.id, idea_id=idea_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_member_view_answers_for_a_whole_page(app, make_idea, make_user, member):
    first, second, third = make_idea("Idea one"), make_idea("Idea two"), make_idea("Idea three")
    other = make_user()
    with app.app_context():
        votes.cast_vote(member.id, first)
        votes.cast_vote(member.id, third)
        votes.cast_vote(other.id, second)
        db.session.commit()
        view = votes.member_view(member.id, [first, second, third])
        assert view.voted == {first, third}
        assert view.counts == {first: 1, second: 1, third: 1}
        assert votes.member_view(member.id, []) == (frozenset(), {}, frozenset())
        assert votes.member_view(member.id, [first, second], follows=True).following == {
            first}  # voting followed it


def test_concurrent_toggling_keeps_count_equal_to_rows(app, make_idea, make_user):
    """Many members vote and unvote the same idea at once, each on its own connection."""
    idea_id = make_idea()
    members = [make_user() for _ in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(members))

    def toggle(user_id: int, seed: int) -> None:
        rng = random.Random(seed)
        try:
            with app.app_context():
                start.wait()
                for _ in range(25):
                    votes.set_vote(user_id, idea_id, rng.random() < 0.6)
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below, so a thread cannot fail silently
            errors.append(error)

    threads = [threading.Thread(target=toggle, args=(m.id, i)) for i, m in enumerate(members)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with app.app_context():
        rows = _vote_rows(idea_id)
        assert votes.current_vote_count(idea_id) == rows


def test_hidden_or_withdrawn_ideas_take_no_votes(app, make_idea, member, caretaker):
    from ideaboard.services import ideas

    hidden, withdrawn = make_idea("Hidden idea"), make_idea("Withdrawn idea")
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(Idea, hidden), True, caretaker)
        ideas.withdraw_idea(db.session.get(Idea, withdrawn))
        db.session.commit()
        for idea_id in (hidden, withdrawn):
            for voted in (True, False):
                with pytest.raises(votes.NotOnTheBoard):
                    votes.set_vote(member.id, idea_id, voted)
                db.session.rollback()
        assert _vote_rows(hidden) == _vote_rows(withdrawn) == 0
