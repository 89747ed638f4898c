"""flask backup / restore: a restore gives back every row of every table, moves the board's
generation past both boards, and refuses what it must (a board in use, a file in the way, a
file that is no backup) with a clear message."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing

import pytest
from sqlalchemy import delete, select, text, update

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Role, User, Vote
from ideaboard.services import backup, comments, pg_client, votes


@pytest.fixture(autouse=True)
def backup_tools(app) -> None:
    """On PostgreSQL these tests run pg_dump and pg_restore; without them they are skipped,
    except in CI, where they fail."""
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        message = "needs pg_dump and pg_restore on PATH (PostgreSQL's client programs)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def board(app, make_user, make_idea) -> None:
    """Members and a caretaker, ideas (one hidden), votes, member and guest comments."""
    ana, ben = make_user("Ana"), make_user("Ben")
    make_user("Cara Caretaker", role=Role.CARETAKER)
    ideas = [make_idea(f"Idea number {n}", author=ana) for n in range(3)]
    with app.app_context():
        for voter in (ana, ben):
            for idea_id in ideas[:2]:
                votes.cast_vote(voter.id, idea_id)
        first = db.session.get(Idea, ideas[0])
        comments.add_member_comment(first, ben, "Yes, **please**.")
        comments.add_guest_comment(first, "A visitor", "visitor@example.org", "Me too")
        db.session.get(Idea, ideas[2]).hidden_at = first.created_at
        db.session.commit()


def _snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table (and Alembic's), ordered by primary key."""
    with app.app_context():
        rows = {table.name: [tuple(row) for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}
        rows["alembic_version"] = [tuple(row) for row in db.session.execute(
            text("SELECT version_num FROM alembic_version ORDER BY version_num"))]
        return rows


def _generation(app) -> int:
    with app.app_context():
        return backup.generation(db.engine)


def _set_generation(app, value: int) -> None:
    with app.app_context():
        db.session.execute(text("UPDATE board_state SET generation = :g"), {"g": value})
        db.session.commit()


def _change_everything(app) -> None:
    """What a bad day does between the backup and the restore."""
    with app.app_context():
        db.session.execute(delete(Vote))
        db.session.execute(delete(Comment))
        db.session.execute(update(Idea).values(title="Vandalised", vote_count=0,
                                               comment_count=0))
        db.session.add(User(email="late@example.org", display_name="Late", password_hash="x"))
        db.session.commit()


@pytest.mark.parametrize("live_ahead_by", [-3, 50], ids=["backup-ahead", "live-ahead"])
def test_restore_gives_back_every_table_and_moves_the_generation_past_both(
        app, runner, tmp_path, board, make_user, live_ahead_by):
    before = _snapshot(app)
    saved_generation = before["board_state"][0][1]
    assert saved_generation >= 3 and len(before["votes"]) == 4
    path = tmp_path / "board.backup"
    made = runner.invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    _change_everything(app)
    live_generation = saved_generation + live_ahead_by
    _set_generation(app, live_generation)

    restored = runner.invoke(args=["restore", "--force", str(path)])

    assert restored.exit_code == 0, restored.output
    after = _snapshot(app)
    [(state_id, generation, *_counts_generations)] = after.pop("board_state")
    assert (state_id, generation) == (1, max(saved_generation, live_generation) + 1)
    before.pop("board_state")
    assert after == before
    assert make_user("After the restore").id > max(row[0] for row in after["users"])


def test_restore_refuses_a_board_in_use_without_force(app, runner, tmp_path, board, make_idea):
    path = tmp_path / "board.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    make_idea("Posted after the backup")
    current = _snapshot(app)

    refused = runner.invoke(args=["restore", str(path)])

    assert refused.exit_code == 1
    assert "already holds a board" in refused.output and "--force" in refused.output
    assert _snapshot(app) == current


def test_restore_needs_no_force_on_a_board_nobody_wrote_to(app, runner, tmp_path, board):
    before = _snapshot(app)
    path = tmp_path / "board.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    with app.app_context():  # as after init-db: categories, board state, no members
        for model in (Vote, Comment, Idea, User):
            db.session.execute(delete(model))
        db.session.commit()

    restored = runner.invoke(args=["restore", str(path)])

    assert restored.exit_code == 0, restored.output
    assert _snapshot(app)["ideas"] == before["ideas"]


def test_backup_keeps_an_existing_file_unless_forced(app, runner, tmp_path, board):
    path = tmp_path / "board.backup"
    path.write_bytes(b"last week's backup")

    refused = runner.invoke(args=["backup", str(path)])
    assert refused.exit_code == 1 and "already exists" in refused.output
    assert "--force" in refused.output and path.read_bytes() == b"last week's backup"
    assert "--force" in runner.invoke(args=["backup", "--help"]).output

    forced = runner.invoke(args=["backup", "--force", str(path)])
    assert forced.exit_code == 0, forced.output
    assert path.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert [p.name for p in tmp_path.iterdir()] == ["board.backup"]  # no partial file left


@pytest.mark.sqlite_only
def test_a_sqlite_backup_never_goes_over_the_database_itself(app, runner, board):
    with app.app_context():
        database = db.engine.url.database
    current = _snapshot(app)
    for command in ("backup", "restore"):
        refused = runner.invoke(args=[command, "--force", database])
        assert refused.exit_code == 1 and "is the database itself" in refused.output
    assert _snapshot(app) == current


@pytest.mark.parametrize("content", [
    b"just some text, not a backup\n",
    b"PGDMP" + bytes(200),  # looks like a pg_dump archive, is none (nor for SQLite)
    backup.SQLITE_MAGIC + bytes(200),  # looks like SQLite, is none (nor for PostgreSQL)
], ids=["text", "pg-dump-header", "sqlite-header"])
def test_restore_refuses_a_file_that_is_no_backup_with_a_clear_message(
        app, runner, tmp_path, board, content):
    path = tmp_path / "not-a-backup"
    path.write_bytes(content)
    current = _snapshot(app)

    refused = runner.invoke(args=["restore", "--force", str(path)])

    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert refused.output.startswith(f"Error: {path}")
    assert _snapshot(app) == current


def test_restore_refuses_a_backup_of_some_other_database(app, runner, tmp_path, board):
    path = tmp_path / "other.backup"
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with closing(sqlite3.connect(path)) as other:
                other.execute("CREATE TABLE notes (body TEXT)")
        else:  # a real archive, of the categories table alone
            options, env = pg_client.libpq_options(db.engine.url)
            subprocess.run(["pg_dump", "--format=custom", "--table=categories",
                            f"--file={path}", *options], env=env, check=True)

    refused = runner.invoke(args=["restore", "--force", str(path)])

    assert refused.exit_code == 1
    assert "is not an Ideaboard backup (no users, ideas, votes, comments" in refused.output


def test_commands_print_no_progress_when_output_is_not_a_terminal(app, runner, tmp_path,
                                                                  board):
    path = tmp_path / "board.backup"
    made = runner.invoke(args=["backup", str(path)])
    restored = runner.invoke(args=["restore", "--force", str(path)])
    assert made.output == f"Backed up the database to {path} ({path.stat().st_size:,} bytes).\n"
    assert restored.output == f"Restored the database from {path}.\n"


@pytest.mark.sqlite_only
def test_a_sqlite_backup_is_the_board_as_it_began_though_writers_go_on(app, tmp_path, board,
                                                                     monkeypatch):
    with app.app_context():
        monkeypatch.setattr(backup, "PAGES_PER_STEP", 1)
        steps: list[tuple[int, int]] = []

        def write_between_steps(done: int, total: int) -> None:
            steps.append((done, total))
            if len(steps) == 2:  # another connection takes every vote back, mid-copy
                with db.engine.begin() as connection:
                    connection.execute(text("DELETE FROM votes"))

        backup.write_backup(db.engine, tmp_path / "board.backup", write_between_steps)
        with closing(sqlite3.connect(tmp_path / "board.backup")) as copy:
            assert copy.execute("SELECT count(*) FROM votes").fetchone() == (4,)
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    total = steps[0][1]
    assert total > 2 and steps == [(n, total) for n in range(1, total + 1)]  # never restarted
