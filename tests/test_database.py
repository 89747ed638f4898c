"""HotConnections: the driver connections kept aside for the hottest reads and the vote."""

from __future__ import annotations

import fcntl
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from ideaboard.database import BULK_CACHE_KIB, hot_connections
from ideaboard.extensions import db
from ideaboard.models import User
from ideaboard.seeding import SeedPlan, seed_board
from ideaboard.services import ideas, votes
from ideaboard.services.categories import all_categories, seed_categories
from ideaboard.services.freshness import current_generation, mark_board_changed
from tests.conftest import make_app


def _vote_rows(app, idea_id: int) -> int:
    with app.app_context():
        return hot_connections().rows(f"SELECT count(*) FROM votes WHERE idea_id = {idea_id}")[0][0]


def test_a_transaction_commits_when_its_block_ends(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        state = votes.set_vote(member.id, idea_id, True)
    assert state == votes.VoteState(voted=True, vote_count=1)
    assert _vote_rows(app, idea_id) == 1  # seen from another connection: committed


def test_a_transaction_that_raises_leaves_nothing_behind(app, make_idea, member):
    idea_id = make_idea()
    with app.app_context():
        before = current_generation()

        def halfway(transaction) -> None:
            transaction.execute(
                "INSERT INTO votes (user_id, idea_id, created_at)"
                " VALUES (:user_id, :idea_id, :at)",
                {"user_id": member.id, "idea_id": idea_id, "at": votes.utcnow()},
            )
            mark_board_changed(transaction)
            raise RuntimeError("halfway")

        with pytest.raises(RuntimeError):
            hot_connections().in_transaction(halfway)
        assert current_generation() == before
        # The connection went back clean: the next transaction commits normally.
        votes.set_vote(member.id, idea_id, True)
    assert _vote_rows(app, idea_id) == 1


def _break(connection) -> None:
    """As a database restart would: PostgreSQL ends the session; a SQLite file closes."""
    if db.engine.dialect.name == "postgresql":
        pid = connection.driver_connection.info.backend_pid
        with db.engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({pid}, 5000)")
    else:
        connection.driver_connection.close()


def test_broken_idle_connections_are_replaced_before_a_transaction(app, make_idea, member):
    """After the database dropped them (say, it restarted), the next vote still lands."""
    idea_id = make_idea()
    with app.app_context():
        connections = hot_connections()
        votes.set_vote(member.id, idea_id, True)
        connections.rows("SELECT 1")
        assert connections._idle
        for slot in connections._idle:
            _break(slot.connection)
        assert votes.set_vote(member.id, idea_id, False).vote_count == 0
    assert _vote_rows(app, idea_id) == 0


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file of its own, whichever database the suite runs on."""
    app = make_app(f"sqlite:///{tmp_path / 'writers.sqlite'}")
    with app.app_context():
        upgrade()
        seed_categories()
        author = User(email="author@example.org", display_name="Author", password_hash="x")
        db.session.add(author)
        db.session.flush()
        idea = ideas.create_idea(author, "An idea", "Its description.", all_categories()[0].id)
        db.session.commit()
        app.config["test_ids"] = (author.id, idea.id)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sqlite_writers_queue_on_the_shared_lock_file(sqlite_app, tmp_path):
    """A vote waits while another process holds the writer lock, and goes on once it is
    released (the lock file is what every gunicorn worker takes)."""
    member_id, idea_id = sqlite_app.config["test_ids"]
    done = threading.Event()

    def vote() -> None:
        with sqlite_app.app_context():
            votes.set_vote(member_id, idea_id, True)
        done.set()

    with open(tmp_path / "writers.sqlite-writer.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        voter = threading.Thread(target=vote)
        voter.start()
        assert not done.wait(0.3)  # held back by the lock
    assert done.wait(5)  # released when the file closed
    voter.join()
    assert _vote_rows(sqlite_app, idea_id) == 1


def test_sqlite_votes_checkpoint_the_wal_outside_the_writer_lock(sqlite_app, tmp_path,
                                                                monkeypatch):
    """Automatic checkpoints, which SQLite runs inside COMMIT (so under the writer lock),
    are off for votes; they copy the WAL back every CHECKPOINT_EVERY commits instead, so it
    stops growing."""
    every = 50  # small, so the test is quick
    monkeypatch.setattr("ideaboard.database.CHECKPOINT_EVERY", every)
    member_id, idea_id = sqlite_app.config["test_ids"]
    wal = tmp_path / "writers.sqlite-wal"
    with sqlite_app.app_context():
        connections = hot_connections()
        votes.set_vote(member_id, idea_id, True)
        autocheckpoint = connections._idle[0].cursor.execute("PRAGMA wal_autocheckpoint")
        assert autocheckpoint.fetchone() == (0,)
        sizes = []
        for n in range(6 * every):
            votes.set_vote(member_id, idea_id, n % 2 == 0)
            sizes.append(wal.stat().st_size)
    # The WAL is written from its start again after each checkpoint, so it stops growing
    # (with no checkpoint at all it would be three times as long at the end).
    assert sizes[-1] <= sizes[2 * every]


def test_every_sqlite_connection_keeps_the_page_cache_it_is_given(tmp_path):
    """A worker's two connections (the pool's and the hot path's) each hold SQLITE_CACHE_KIB
    of pages, not SQLite's 2 MB default."""
    app = make_app(f"sqlite:///{tmp_path / 'cache.sqlite'}", SQLITE_CACHE_KIB=300)
    with app.app_context():
        assert db.session.execute(text("PRAGMA cache_size")).scalar() == -300
        assert hot_connections().rows("PRAGMA cache_size") == [(-300,)]
        db.engine.dispose()


def test_the_bulk_seeder_loads_with_a_large_cache_on_its_own_connection(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'bulk.sqlite'}")
    with app.app_context():
        upgrade()
        seed_board(SeedPlan(ideas=20, members=5, votes=40, comments=10))
        assert db.session.execute(text("PRAGMA cache_size")).scalar() == -BULK_CACHE_KIB
        db.session.rollback()
        db.engine.dispose()
