"""The seeded boards the benchmark runs against: build them, copy them, ask them in SQL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
FLASK = str(Path(sys.executable).parent / "flask")
SECRET_KEY = "bench-secret"
SEED = 1
SQLITE_SIDECARS = ("-wal", "-shm")


def seed_plan(ideas: int) -> dict[str, int]:
    """A board of N ideas: N/10 members, 10 N votes, 2 N comments, seed 1."""
    return {"ideas": ideas, "members": max(1, ideas // 10), "votes": ideas * 10,
            "comments": ideas * 2, "seed": SEED}


def kind(url: str) -> str:
    """'sqlite' or 'postgresql'."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file, by absolute path."""
    return f"sqlite:///{path.resolve()}"


def flask(url: str, *args: str, quiet: bool = False) -> None:
    """Run `flask --app ideaboard <args>` against the database at `url`."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    output = subprocess.PIPE if quiet else sys.stderr  # progress, not figures: stderr
    done = subprocess.run([FLASK, "--app", "ideaboard", *args], cwd=ROOT, env=env, text=True,
                          stdout=output, stderr=output, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout or ''}"
                           f"{done.stderr or ''}")


def seed(url: str, ideas: int) -> None:
    """Migrate an empty database and fill it with the board of `ideas` ideas."""
    plan = seed_plan(ideas)
    flask(url, "init-db", quiet=True)
    flask(url, "seed", "--ideas", str(plan["ideas"]), "--members", str(plan["members"]),
          "--votes", str(plan["votes"]), "--comments", str(plan["comments"]),
          "--seed", str(plan["seed"]))


def _sqlite_files(path: Path) -> list[Path]:
    """The database file and its -wal and -shm sidecars."""
    return [path, *(path.with_name(path.name + s) for s in SQLITE_SIDECARS)]


def _remove_sqlite(path: Path) -> None:
    """Delete a SQLite database and its sidecars, if there."""
    for file in _sqlite_files(path):
        file.unlink(missing_ok=True)


def seeded_sqlite(ideas: int, reseed: bool) -> Path:
    """bench/.data/board-N.sqlite, seeded once and reused (migrated to the newest schema)."""
    path = DATA / f"board-{ideas}.sqlite"
    if path.exists() and not reseed:
        flask(sqlite_url(path), "init-db", quiet=True)
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    building = DATA / f"board-{ideas}.building.sqlite"
    _remove_sqlite(building)
    seed(sqlite_url(building), ideas)
    _remove_sqlite(path)
    for source, target in zip(_sqlite_files(building), _sqlite_files(path), strict=True):
        if source.exists():
            source.replace(target)
    return path


def fresh_copy(path: Path, name: str) -> Path:
    """A copy of a SQLite board (with its -wal file, if one was left), for runs that write."""
    copy = path.with_name(name)
    _remove_sqlite(copy)
    shutil.copyfile(path, copy)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    return copy


def seeded_postgresql(url: str, ideas: int) -> None:
    """Drop and recreate the public schema, then seed the board of `ideas` ideas."""
    run_sql(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    seed(url, ideas)


def run_sql(url: str, *statements: str) -> list[list[tuple]]:
    """Run statements in one transaction; the rows each returned (empty if none)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            results = []
            for statement in statements:
                result = connection.execute(text(statement))
                results.append([tuple(row) for row in result] if result.returns_rows else [])
            return results
    finally:
        engine.dispose()


def _ints(values: list[int]) -> str:
    """Integers for an SQL IN list (ints only, so nothing to escape)."""
    return ", ".join(str(int(v)) for v in values)


def seed_members(url: str, count: int) -> list[tuple[int, str]]:
    """The first `count` seeded members: (id, email); their password is seed-password."""
    return run_sql(url, "SELECT id, email FROM users WHERE email LIKE 'seed-%@example.org' "
                        f"ORDER BY id LIMIT {int(count)}")[0]


def most_voted_public_ideas(url: str, count: int) -> list[int]:
    """Ids of the `count` most-voted ideas a visitor can see (in the board's Top order)."""
    rows = run_sql(url, "SELECT id FROM ideas WHERE hidden_at IS NULL AND withdrawn_at IS NULL "
                        f"ORDER BY vote_count DESC, created_at DESC, id DESC LIMIT {int(count)}")
    return [row[0] for row in rows[0]]


def voted_pairs(url: str, user_ids: list[int], idea_ids: list[int]) -> set[tuple[int, int]]:
    """Which (user id, idea id) pairs have a vote row now."""
    rows = run_sql(url, f"SELECT user_id, idea_id FROM votes WHERE user_id IN ({_ints(user_ids)})"
                        f" AND idea_id IN ({_ints(idea_ids)})")[0]
    return {(user, idea) for user, idea in rows}


def count_checks(url: str) -> dict:
    """Do the counts kept on each idea row equal the vote and visible comment rows?"""
    sums, off_votes, off_comments = run_sql(
        url,
        "SELECT (SELECT COUNT(*) FROM votes), (SELECT COALESCE(SUM(vote_count), 0) FROM ideas),"
        " (SELECT COUNT(*) FROM comments WHERE hidden_at IS NULL),"
        " (SELECT COALESCE(SUM(comment_count), 0) FROM ideas)",
        "SELECT COUNT(*) FROM ideas i LEFT JOIN (SELECT idea_id, COUNT(*) AS n FROM votes"
        " GROUP BY idea_id) v ON v.idea_id = i.id WHERE i.vote_count <> COALESCE(v.n, 0)",
        "SELECT COUNT(*) FROM ideas i LEFT JOIN (SELECT idea_id, COUNT(*) AS n FROM comments"
        " WHERE hidden_at IS NULL GROUP BY idea_id) c ON c.idea_id = i.id"
        " WHERE i.comment_count <> COALESCE(c.n, 0)",
    )
    vote_rows, vote_sum, comment_rows, comment_sum = sums[0]
    return {
        "vote_rows": vote_rows, "sum_vote_count": vote_sum,
        "ideas_with_vote_count_off": off_votes[0][0],
        "votes_equal_rows": vote_rows == vote_sum and off_votes[0][0] == 0,
        "visible_comment_rows": comment_rows, "sum_comment_count": comment_sum,
        "ideas_with_comment_count_off": off_comments[0][0],
        "comments_equal_rows": comment_rows == comment_sum and off_comments[0][0] == 0,
    }


def server_version(url: str) -> str:
    """The database engine's version string."""
    if kind(url) == "sqlite":
        return "SQLite " + run_sql(url, "SELECT sqlite_version()")[0][0][0]
    return run_sql(url, "SELECT version()")[0][0][0]


def redact(url: str) -> str:
    """The URL without a password, for the results file."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
