"""Merging duplicates: votes without double counting, comments with their origin, and an
undo that puts back exactly what moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import AuditEntry, AuditKind, Comment, Idea, Vote, utcnow
from ideaboard.services import comments, merging, votes
from ideaboard.services.maintenance import recompute_counts
from tests.conftest import get_idea


def _voters(app, idea_id: int) -> dict[int, object]:
    with app.app_context():
        return dict(db.session.execute(
            select(Vote.user_id, Vote.created_at).where(Vote.idea_id == idea_id)).all())


def _comment_bodies(app, idea_id: int) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Comment.body).where(Comment.idea_id == idea_id)))


def _counts(app, idea_id: int) -> tuple[int, int, float]:
    idea = get_idea(app, idea_id)
    return idea.vote_count, idea.comment_count, idea.trending_score


def _counts_from_rows(app, idea_id: int) -> tuple[int, int, float]:
    """What the counters should be: recomputed from the rows, then rolled back."""
    with app.app_context():
        recompute_counts([idea_id])
        idea = db.session.get(Idea, idea_id)
        found = idea.vote_count, idea.comment_count, idea.trending_score
        db.session.rollback()
        return found


@pytest.fixture
def duplicates(app, make_idea, make_user):
    """Idea A (votes by 1, 2, 3; two comments) and idea B (votes by 3, 4; one comment)."""
    a, b = make_idea("Monthly AMA"), make_idea("An AMA every month")
    users = [make_user(f"Voter {n}") for n in range(1, 6)]
    with app.app_context():
        long_ago = utcnow() - timedelta(days=20)
        for user in users[:3]:
            votes.cast_vote(user.id, a, at=long_ago)
        for user in users[2:4]:
            votes.cast_vote(user.id, b)
        comments.add_guest_comment(get_idea(app, a), "Vera", None, "Yes please")
        comments.add_member_comment(get_idea(app, a), users[0], "With a CMIO")
        comments.add_member_comment(get_idea(app, b), users[3], "Agreed")
        db.session.commit()
    return a, b, users


def _merge(app, a: int, b: int, caretaker):
    with app.app_context():
        merging.merge(db.session.get(Idea, a), db.session.get(Idea, b), caretaker)
        db.session.commit()


def _undo(app, a: int, caretaker):
    with app.app_context():
        merging.undo(db.session.get(Idea, a), caretaker)
        db.session.commit()


def test_merge_moves_votes_once_per_member_and_comments_with_their_origin(
        app, duplicates, caretaker):
    a, b, users = duplicates
    _merge(app, a, b, caretaker)
    assert set(_voters(app, b)) == {u.id for u in users[:4]}  # voter 3 keeps one vote
    assert _voters(app, a) == {}
    assert _counts(app, b)[:2] == (4, 3)
    assert _counts(app, b) == pytest.approx(_counts_from_rows(app, b))
    assert _counts(app, a)[:2] == (0, 0)
    assert _comment_bodies(app, b) == {"Yes please", "With a CMIO", "Agreed"}
    with app.app_context():
        origins = dict(db.session.execute(select(Comment.body, Comment.merged_from_id)).all())
        entry = db.session.scalar(select(AuditEntry))
    assert origins == {"Yes please": a, "With a CMIO": a, "Agreed": None}
    merged = get_idea(app, a)
    assert merged.merged_into_id == b and not merged.is_public
    assert entry.kind is AuditKind.MERGE
    assert entry.after == {"merged_into": b, "votes_moved": 2, "votes_already_there": 1,
                           "comments_moved": 2}


def test_undo_puts_back_exactly_what_moved_after_more_votes_and_comments_on_the_target(
        app, duplicates, caretaker, make_user):
    a, b, users = duplicates
    before_a, before_b = _voters(app, a), _voters(app, b)
    counts_a = _counts(app, a)
    _merge(app, a, b, caretaker)
    newcomer = make_user("Newcomer")
    with app.app_context():
        votes.cast_vote(newcomer.id, b)  # a new vote on B
        votes.withdraw_vote(users[0].id, b)  # a moved vote taken back on B
        assert not votes.cast_vote(users[1].id, b)  # moved there: nothing changes
        comments.add_guest_comment(db.session.get(Idea, b), "Late", None, "Came later")
        db.session.commit()
    _undo(app, a, caretaker)
    assert _voters(app, a) == before_a  # every vote, with its moment
    assert set(_voters(app, b)) == set(before_b) | {newcomer.id}
    assert _voters(app, b)[users[2].id] == before_b[users[2].id]
    assert _comment_bodies(app, a) == {"Yes please", "With a CMIO"}
    assert _comment_bodies(app, b) == {"Agreed", "Came later"}
    assert _counts(app, a) == pytest.approx(counts_a)
    for idea_id in (a, b):
        assert _counts(app, idea_id) == pytest.approx(_counts_from_rows(app, idea_id))
    restored = get_idea(app, a)
    assert restored.is_public and restored.merged_into_id is None
    with app.app_context():
        assert db.session.scalar(select(Comment.merged_from_id).where(
            Comment.body == "Yes please")) is None


def test_merges_undo_last_first(app, duplicates, caretaker, make_idea):
    a, b, _users = duplicates
    c = make_idea("Ask me anything, monthly")
    _merge(app, a, b, caretaker)
    _merge(app, b, c, caretaker)
    assert _comment_bodies(app, c) == {"Yes please", "With a CMIO", "Agreed"}
    with app.app_context():
        assert db.session.scalar(select(Comment.merged_from_id).where(
            Comment.body == "Yes please")) == a  # the first origin stays
        with pytest.raises(merging.MergeRefused, match="undo that merge first"):
            merging.undo(db.session.get(Idea, a), caretaker)
        db.session.rollback()
    _undo(app, b, caretaker)
    _undo(app, a, caretaker)
    assert _comment_bodies(app, a) == {"Yes please", "With a CMIO"}
    assert _comment_bodies(app, b) == {"Agreed"}
    assert _comment_bodies(app, c) == set()
    assert _counts(app, a)[:2] == (3, 2) and _counts(app, b)[:2] == (2, 1)


@pytest.mark.parametrize("case", ["itself", "hidden target", "merged source"])
def test_nonsense_merges_are_refused_and_change_nothing(app, duplicates, caretaker, case,
                                                        make_idea):
    a, b, _users = duplicates
    if case == "merged source":
        _merge(app, a, b, caretaker)
        a, b = a, make_idea("Third")
    with app.app_context():
        source, target = db.session.get(Idea, a), db.session.get(Idea, b)
        if case == "itself":
            target = source
        if case == "hidden target":
            target.hidden_at = utcnow()
            db.session.commit()
        target_id = target.id
        before = _voters(app, a), _voters(app, target_id)
        with pytest.raises(merging.MergeRefused):
            merging.merge(source, target, caretaker)
        db.session.rollback()
    assert (_voters(app, a), _voters(app, target_id)) == before


def test_a_merge_that_fails_half_way_leaves_nothing_done(app, duplicates, caretaker,
                                                          monkeypatch):
    a, b, _users = duplicates
    before = _voters(app, a), _voters(app, b), _comment_bodies(app, a)

    def broken(*args):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(merging, "_move_comments", broken)  # after the votes moved
    with app.app_context():
        with pytest.raises(RuntimeError):
            merging.merge(db.session.get(Idea, a), db.session.get(Idea, b), caretaker)
        db.session.rollback()
    assert (_voters(app, a), _voters(app, b), _comment_bodies(app, a)) == before
    assert get_idea(app, a).merged_into_id is None


def test_an_undo_that_fails_half_way_leaves_the_merge_in_place(app, duplicates, caretaker,
                                                               monkeypatch):
    a, b, _users = duplicates
    _merge(app, a, b, caretaker)
    before = _voters(app, a), _voters(app, b), _comment_bodies(app, b)

    def broken(*args):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(merging, "_restore_comments", broken)  # after the votes went back
    with app.app_context():
        with pytest.raises(RuntimeError):
            merging.undo(db.session.get(Idea, a), caretaker)
        db.session.rollback()
    assert (_voters(app, a), _voters(app, b), _comment_bodies(app, b)) == before
    assert get_idea(app, a).merged_into_id == b
