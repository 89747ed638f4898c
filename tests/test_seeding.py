"""The bulk seeder: reproducible, counts that equal rows, a Zipf-shaped vote spread."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime

from sqlalchemy import exists, func, select

from ideaboard import seeding
from ideaboard.extensions import db
from ideaboard.models import Comment, Follow, Idea, Status, Vote
from ideaboard.seeding import SeedPlan, seed_board, zipf_allocation
from ideaboard.services.maintenance import recompute_trending

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _snapshot() -> list[tuple]:
    return list(db.session.execute(
        select(Idea.title, Idea.vote_count, Idea.comment_count, Idea.status).order_by(Idea.id)))


def test_seeded_counts_and_scores_equal_what_the_rows_say(app):
    with app.app_context():
        counts = seed_board(SeedPlan(ideas=300, members=60, votes=3000, comments=900), now=NOW)
        db.session.commit()
        followed = counts.pop("follows")
        decided = counts.pop("status changes")
        assert counts == {"members": 60, "ideas": 300, "votes": 3000, "comments": 900}
        # every answered idea has its decision in its history (and on /decisions)
        assert decided == db.session.scalar(select(func.count()).select_from(Idea).where(
            Idea.status != Status.OPEN)) > 0
        # each member follows what they took part in, once (voting alone gives 3,000)
        assert 3000 < followed == db.session.scalar(select(func.count()).select_from(Follow))
        assert db.session.scalar(select(func.count()).select_from(Vote).where(~exists().where(
            Follow.user_id == Vote.user_id, Follow.idea_id == Vote.idea_id))) == 0
        assert db.session.scalar(select(func.sum(Idea.vote_count))) == 3000
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 3000
        visible = db.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.hidden_at.is_(None)))
        assert db.session.scalar(select(func.sum(Idea.comment_count))) == visible
        before = dict(db.session.execute(select(Idea.id, Idea.trending_score)).all())
        recompute_trending()
        db.session.commit()
        after = dict(db.session.execute(select(Idea.id, Idea.trending_score)).all())
        assert all(abs(before[i] - after[i]) <= 1e-9 * after[i] for i in after)


def test_seeding_tells_its_progress_in_rows_after_each_batch(app, monkeypatch):
    monkeypatch.setattr(seeding, "BATCH", 100)
    told: list[tuple[int, int]] = []
    with app.app_context():
        counts = seed_board(SeedPlan(ideas=50, members=20, votes=300, comments=100), now=NOW,
                            progress=lambda done, total: told.append((done, total)))
        db.session.commit()
    counts.pop("follows")  # one statement at the end, not a batch of its own
    counts.pop("status changes")  # a few rows after the rest, not counted in the progress
    assert sum(counts.values()) == 470
    # members, ideas, votes (three batches), comments
    assert told == [(done, 470) for done in (20, 70, 170, 270, 370, 470)]


def test_the_same_seed_gives_the_same_board(app):
    with app.app_context():
        seed_board(SeedPlan(ideas=50, members=20, votes=300, comments=100, seed=5), now=NOW)
        db.session.commit()
        first = _snapshot()
        db.session.execute(Vote.__table__.delete())
        db.session.execute(Comment.__table__.delete())
        db.session.execute(Idea.__table__.delete())
        db.session.commit()
        seed_board(SeedPlan(ideas=50, members=20, votes=300, comments=100, seed=5), now=NOW)
        db.session.commit()
        assert [row[1:] for row in _snapshot()] == [row[1:] for row in first]


def test_votes_are_zipf_skewed_a_few_ideas_with_thousands_median_in_single_digits():
    counts = zipf_allocation(random.Random(1), ideas=100_000, total=1_000_000, cap=6000)
    assert sum(counts) == 1_000_000
    assert max(counts) <= 6000
    assert sum(1 for c in counts if c >= 1000) >= 10
    assert 1 <= statistics.median(counts) <= 9


def test_seed_command_reports_what_it_added(runner):
    result = runner.invoke(args=["seed", "--ideas", "20", "--members", "5", "--votes", "40",
                                 "--comments", "10"])
    assert result.exit_code == 0, result.output
    assert "20 ideas" in result.output and "40 votes" in result.output
    too_many = runner.invoke(args=["seed", "--ideas", "2", "--members", "2", "--votes", "5"])
    assert too_many.exit_code != 0
