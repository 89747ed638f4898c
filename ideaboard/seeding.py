"""A board at scale for benchmarks: reproducible, realistic, and loaded in bulk.

Counts and trending scores are computed while the rows are generated and written once, with
the idea rows; votes and comments go in by executemany in large batches. Text is drawn from
the demo's pool and rendered once per distinct text, not once per row.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from ideaboard.database import cache_for_bulk_load
from ideaboard.demo import CATEGORY_COMMENTS, GENERIC_COMMENTS, GUESTS, IDEAS
from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Role, Status, StatusChange, User, Vote
from ideaboard.sanitize import plain_excerpt, render_markdown
from ideaboard.services import follows
from ideaboard.services.categories import all_categories, seed_categories
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import trending_weight

if TYPE_CHECKING:
    from ideaboard.progress import Progress

SEED_PASSWORD = "seed-password"
BATCH = 20_000
MAX_THREAD = 200  # the longest comment thread the generator makes
REPLY_SHARE = 0.3  # of comments, those answering an earlier one of the same thread
STATUS_MIX = ((Status.UNDER_REVIEW, 3), (Status.PLANNED, 3), (Status.IN_PROGRESS, 2),
              (Status.DONE, 4), (Status.DECLINED, 3))
TITLE_PREFIXES = ("", "Idea: ", "Proposal: ", "What about ", "Could we try ")


@dataclass(frozen=True)
class SeedPlan:
    ideas: int
    members: int
    votes: int
    comments: int
    seed: int = 1


@dataclass
class _Texts:
    """Rendered once, used by many rows."""

    ideas: list[tuple[str, str, str, str]] = field(default_factory=list)  # title, md, html, excerpt
    comments: list[tuple[str, str]] = field(default_factory=list)  # md, html


def _texts() -> _Texts:
    texts = _Texts()
    for demo in IDEAS:
        texts.ideas.append((demo.title, demo.body, render_markdown(demo.body),
                            plain_excerpt(demo.body)))
    pool = list(GENERIC_COMMENTS) + [c for group in CATEGORY_COMMENTS.values() for c in group]
    texts.comments = [(body, render_markdown(body)) for body in pool]
    return texts


def allocate(rng: random.Random, weights: list[float], total: int, cap: int) -> list[int]:
    """Split `total` in proportion to `weights`, at most `cap` each (total must fit)."""
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    short = total - sum(counts)
    cumulative = list(itertools.accumulate(weights))
    while short > 0:
        index = bisect.bisect_left(cumulative, rng.random() * cumulative[-1])
        if counts[index] < cap:
            counts[index] += 1
            short -= 1
    return counts


def zipf_allocation(rng: random.Random, ideas: int, total: int, cap: int) -> list[int]:
    """Split `total` votes over ideas, Zipf-skewed (s = 1), at most `cap` each, shuffled."""
    counts = allocate(rng, [1.0 / (rank + 10) for rank in range(ideas)], total, cap)
    rng.shuffle(counts)
    return counts


def _start_ids() -> tuple[int, int, int]:
    return tuple(
        (db.session.scalar(select(func.max(model.id))) or 0) + 1 for model in (User, Idea, Comment)
    )


def _batched(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _insert(model, rows: Iterator[dict], inserted: Callable[[int], None]) -> int:
    count = 0
    for batch in _batched(rows):
        db.session.execute(insert(model), batch)
        count += len(batch)
        inserted(len(batch))
    return count


def _rows_reporter(progress: Progress | None, total: int) -> Callable[[int], None]:
    """A callback told each batch's rows, telling `progress` the rows so far of `total`."""
    done = 0

    def inserted(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    return inserted


def _members(plan: SeedPlan, first_id: int, now: datetime) -> Iterator[dict]:
    password_hash = generate_password_hash(SEED_PASSWORD)
    for n in range(plan.members):
        yield {"id": first_id + n, "email": f"seed-{first_id + n}@example.org",
               "display_name": f"Member {first_id + n}", "password_hash": password_hash,
               "role": Role.MEMBER, "created_at": now - timedelta(days=400),
               "email_verified_at": now - timedelta(days=400)}


def _between(rng: random.Random, start: datetime, end: datetime, skew: float) -> datetime:
    """A moment in [start, end], nearer the start as skew grows."""
    return start + (end - start) * (rng.random() ** skew)


@dataclass
class _IdeaDraft:
    id: int
    created_at: datetime
    votes: int
    comments: int


def _idea_drafts(rng: random.Random, plan: SeedPlan, first_id: int,
                 now: datetime) -> list[_IdeaDraft]:
    votes = zipf_allocation(rng, plan.ideas, plan.votes, cap=max(1, plan.members * 6 // 10))
    comments = allocate(rng, [v + 1.0 for v in votes], min(plan.comments, plan.ideas * MAX_THREAD),
                        MAX_THREAD)
    year = timedelta(days=365)
    return [_IdeaDraft(first_id + n, now - year * rng.random(), votes[n], comments[n])
            for n in range(plan.ideas)]


def _vote_rows(rng: random.Random, drafts: list[_IdeaDraft], member_ids: range,
               now: datetime, scores: dict[int, float]) -> Iterator[dict]:
    for draft in drafts:
        score = trending_weight(draft.created_at)
        for user_id in rng.sample(member_ids, draft.votes):
            voted_at = _between(rng, draft.created_at, now, skew=3)
            score += trending_weight(voted_at)
            yield {"user_id": user_id, "idea_id": draft.id, "created_at": voted_at}
        scores[draft.id] = score


def _idea_rows(rng: random.Random, drafts: list[_IdeaDraft], texts: _Texts, member_ids: range,
               category_ids: list[int], scores: dict[int, float],
               visible_comments: dict[int, int]) -> Iterator[dict]:
    statuses, status_weights = zip(*STATUS_MIX, strict=True)
    for draft in drafts:
        title, body, html, excerpt = rng.choice(texts.ideas)
        answered = rng.random() < (0.5 if draft.votes > 200 else 0.08)
        roll = rng.random()
        yield {
            "id": draft.id, "title": f"{rng.choice(TITLE_PREFIXES)}{title} #{draft.id}"[:140],
            "description": body, "description_html": html, "excerpt": excerpt,
            "author_id": rng.choice(member_ids), "category_id": rng.choice(category_ids),
            "status": rng.choices(statuses, status_weights)[0] if answered else Status.OPEN,
            "vote_count": draft.votes, "comment_count": visible_comments.get(draft.id, 0),
            "trending_score": scores[draft.id], "created_at": draft.created_at,
            "updated_at": draft.created_at,
            "hidden_at": draft.created_at if roll < 0.01 else None,
            "withdrawn_at": draft.created_at if 0.01 <= roll < 0.015 else None,
        }


def _status_change_rows(rng: random.Random, idea_rows: list[dict],
                        now: datetime) -> Iterator[dict]:
    """Each answered idea's decision, as the caretaker would have made it: its history on
    /decisions and the idea's page."""
    for row in idea_rows:
        if row["status"] is not Status.OPEN:
            yield {"idea_id": row["id"], "from_status": Status.OPEN, "to_status": row["status"],
                   "response_html": None,
                   "created_at": _between(rng, row["created_at"], now, 1)}


def _comment_rows(rng: random.Random, drafts: list[_IdeaDraft], texts: _Texts,
                  member_ids: range, first_id: int, now: datetime,
                  visible: dict[int, int]) -> Iterator[dict]:
    ids = itertools.count(first_id)
    for draft in drafts:
        times = sorted(_between(rng, draft.created_at, now, 2) for _ in range(draft.comments))
        started: list[int] = []  # visible comments that are not replies, to answer
        for created_at in times:
            body, html = rng.choice(texts.comments)
            hidden = rng.random() < 0.02
            guest = rng.random() < 0.3
            name, email = rng.choice(GUESTS) if guest else (None, None)
            comment_id = next(ids)
            parent_id = rng.choice(started) if started and rng.random() < REPLY_SHARE else None
            if not hidden:
                visible[draft.id] = visible.get(draft.id, 0) + 1
                if parent_id is None:
                    started.append(comment_id)
            yield {"id": comment_id, "idea_id": draft.id, "parent_id": parent_id,
                   "author_id": None if guest else rng.choice(member_ids),
                   "guest_name": name, "guest_email": email, "body": body, "body_html": html,
                   "created_at": created_at, "hidden_at": created_at if hidden else None}


def _sync_sequences() -> None:
    """After explicit ids, PostgreSQL's sequences must continue past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("users", "ideas", "comments"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def seed_board(plan: SeedPlan, now: datetime | None = None,
               progress: Progress | None = None) -> dict[str, int]:
    """Add plan.members members and plan.ideas ideas with their votes and comments, telling
    `progress` the rows inserted after each batch."""
    rng = random.Random(plan.seed)
    now = now or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    cache_for_bulk_load()
    seed_categories()
    category_ids = [c.id for c in all_categories()]
    texts = _texts()
    user_start, idea_start, comment_start = _start_ids()
    member_ids = range(user_start, user_start + plan.members)
    drafts = _idea_drafts(rng, plan, idea_start, now)
    inserted = _rows_reporter(progress, plan.members + sum(1 + d.votes + d.comments
                                                           for d in drafts))
    counts = {"members": _insert(User, _members(plan, user_start, now), inserted)}
    # Comments and votes are generated first (to know the counts), inserted after the ideas.
    visible: dict[int, int] = {}
    comment_rows = list(_comment_rows(rng, drafts, texts, member_ids, comment_start, now,
                                      visible))
    scores: dict[int, float] = {}
    vote_rows = list(_vote_rows(rng, drafts, member_ids, now, scores))
    idea_rows = list(_idea_rows(rng, drafts, texts, member_ids, category_ids, scores,
                                visible))
    counts["ideas"] = _insert(Idea, iter(idea_rows), inserted)
    counts["votes"] = _insert(Vote, iter(vote_rows), inserted)
    counts["comments"] = _insert(Comment, iter(comment_rows), inserted)
    counts["follows"] = follows.follow_where_taken_part()
    counts["status changes"] = _insert(StatusChange, _status_change_rows(rng, idea_rows, now),
                                       lambda _rows: None)
    _sync_sequences()
    mark_board_changed()
    return counts


LOADED_TABLES = ("users", "ideas", "votes", "comments", "follows", "status_changes")
# Its triggers rewrote each idea's row once per comment loaded, in seconds, where a live
# board's autovacuum reclaims the old rows as comments trickle in over months: the load
# leaves it five times its size (265 MB for 100,000 ideas, 46 MB rewritten), which every
# search then reads through.
REWRITTEN_TABLE = "idea_search"


def settle_after_load() -> None:
    """After a bulk load (committed), on PostgreSQL: VACUUM ANALYZE the loaded tables, the
    work autovacuum would start on its own a minute later (statistics for the planner, the
    visibility map for index-only scans), so the board runs as it will from then on instead
    of alongside that catch-up. SQLite has no such background work."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(LOADED_TABLES)}")
        connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {REWRITTEN_TABLE}")
