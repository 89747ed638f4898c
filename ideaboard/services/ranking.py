"""How ideas are ordered and paged. Every order is computed by the database on indexed columns.

Trending is an exponentially decayed vote count with a half-life of seven days:

    trending(idea, now) = sum over its votes v of 2 ** (-(now - v.voted_at) / HALF_LIFE)

so a vote is worth 1 the moment it is cast, 1/2 a week later, 1/4 after two weeks. Because
the decay factor 2 ** (-(now - EPOCH) / HALF_LIFE) is the same for every idea, ordering by
that sum is the same as ordering by the stored column

    trending_score = sum over its votes v of 2 ** ((v.voted_at - EPOCH) / HALF_LIFE)

which never changes as time passes: a vote adds its weight, a withdrawn vote subtracts the
weight it added (in the same transaction, atomically, as the vote row), and the column is
indexed. The idea's own creation counts as one vote's weight, so a new idea enters the list
above an old one that nobody votes for any more.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, func, literal, select, tuple_
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, Vote

HALF_LIFE = timedelta(days=7)
# Weights double every HALF_LIFE after EPOCH; a double holds 2**1023, so this epoch
# serves until about 2044 (`flask recompute-trending` after moving it).
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def trending_weight(at: datetime) -> float:
    """What one vote cast at `at` adds to trending_score."""
    return 2.0 ** ((at - EPOCH) / HALF_LIFE)


def trending_weight_sql(column: str) -> str:
    """trending_weight of a timestamp column (naive UTC), computed by PostgreSQL to the same
    double: whole microseconds since EPOCH over HALF_LIFE's, both exact in a double and
    divided as Python divides them, then 2 to that power by the C library's pow()."""
    epoch = (EPOCH - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    half_life = HALF_LIFE // timedelta(microseconds=1)
    return (f"power(2.0::float8, ((extract(epoch FROM {column}) * 1000000)::bigint - {epoch})"
            f"::float8 / {half_life}::float8)")


def trending_now(score: float, at: datetime) -> float:
    """A stored trending_score as the decayed vote count it stands for at `at`: what each of
    the idea's votes (and its creation) is still worth, added up."""
    return score * 2.0 ** (-((at - EPOCH) / HALF_LIFE))


class Sort(enum.StrEnum):
    TOP = "top"
    TRENDING = "trending"
    NEW = "new"
    DISCUSSED = "discussed"

    @property
    def label(self) -> str:
        return {"top": "Top", "trending": "Trending", "new": "New",
                "discussed": "Most discussed"}[self.value]

    @classmethod
    def parse(cls, value: str | None) -> Sort:
        try:
            return cls(value or cls.TOP)
        except ValueError:
            return cls.TOP


def _sort_columns(sort: Sort) -> list:
    """Highest first; ties break to the newer idea, then the higher id."""
    leading = {
        Sort.TOP: [Idea.vote_count],
        Sort.TRENDING: [Idea.trending_score],
        Sort.NEW: [],
        Sort.DISCUSSED: [Idea.comment_count],
    }[sort]
    return [*leading, Idea.created_at, Idea.id]


def _after(columns: list, values: list):
    """Rows strictly after `values` in a descending order over `columns` (keyset paging).

    A row-value comparison, which SQLite and PostgreSQL answer with a seek in the sort's
    index, so page 5,000 costs what page 1 costs.
    """
    bounds = [literal(value, column.type) for column, value in zip(columns, values, strict=True)]
    return tuple_(*columns) < tuple_(*bounds)


@dataclass(frozen=True)
class Filters:
    category_id: int | None = None
    status: Status | None = None


@dataclass
class Page:
    ideas: list[Idea]
    next_after: int | None


def public_filter():
    return and_(Idea.hidden_at.is_(None), Idea.withdrawn_at.is_(None))


def ranked_ideas_query(sort: Sort, filters: Filters) -> Select:
    """The ordered, filtered select of ideas, before paging."""
    columns = _sort_columns(sort)
    query = select(Idea).where(public_filter()).order_by(*[c.desc() for c in columns])
    if filters.category_id is not None:
        query = query.where(Idea.category_id == filters.category_id)
    if filters.status is not None:
        query = query.where(Idea.status == filters.status)
    return query


def sort_values(idea: Idea, sort: Sort) -> list:
    """The idea's values of `sort`'s columns: where a page that ends with it stops."""
    return [getattr(idea, column.key) for column in _sort_columns(sort)]


def ranked_page(sort: Sort, filters: Filters, per_page: int, after: int | None = None,
                with_authors: bool = False, after_values: list | None = None) -> Page:
    """One page of ideas in `sort` order, starting after the idea with id `after`, or after
    the position `after_values` (its sort_values, as they were when a page ended there);
    their categories (and authors, if asked) come in the same query."""
    query = ranked_ideas_query(sort, filters).options(joinedload(Idea.category))
    if with_authors:
        query = query.options(joinedload(Idea.author))
    if after is not None and after_values is None:
        anchor = db.session.get(Idea, after)
        after_values = sort_values(anchor, sort) if anchor is not None else None
    if after_values is not None:
        query = query.where(_after(_sort_columns(sort), after_values))
    return _page_of(list(db.session.scalars(query.limit(per_page + 1))), per_page)


def needs_response_page(filters: Filters, per_page: int, after: int | None = None) -> Page:
    """Open ideas on the board with no official response yet, oldest waiting first (the
    New order's index, read upwards), starting after the idea with id `after`."""
    columns = [Idea.created_at, Idea.id]
    query = (
        select(Idea).options(joinedload(Idea.category))
        .where(public_filter(), Idea.status == Status.OPEN, Idea.official_response.is_(None))
        .order_by(*columns)
    )
    if filters.category_id is not None:
        query = query.where(Idea.category_id == filters.category_id)
    if after is not None:
        anchor = db.session.get(Idea, after)
        if anchor is not None:
            bounds = [literal(getattr(anchor, c.key), c.type) for c in columns]
            query = query.where(tuple_(*columns) > tuple_(*bounds))
    return _page_of(list(db.session.scalars(query.limit(per_page + 1))), per_page)


def _page_of(ideas: list[Idea], per_page: int) -> Page:
    """A page from up to per_page + 1 ideas (the extra one says there is a next page)."""
    has_more = len(ideas) > per_page
    ideas = ideas[:per_page]
    return Page(ideas=ideas, next_after=ideas[-1].id if has_more else None)


def hidden_ideas(limit: int = 50) -> list[Idea]:
    """What the caretaker has hidden, most recently hidden first (ix_ideas_hidden)."""
    query = (
        select(Idea)
        .where(Idea.hidden_at.is_not(None), Idea.withdrawn_at.is_(None),
               Idea.merged_into_id.is_(None))
        .order_by(Idea.hidden_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def recent_votes_query(idea_ids: list[int], days: int = 7) -> Select:
    """Votes cast in the last `days` days, per idea (ix_votes_idea_created)."""
    since = datetime.now(UTC) - timedelta(days=days)
    return (
        select(Vote.idea_id, func.count())
        .where(Vote.idea_id.in_(idea_ids), Vote.created_at >= since)
        .group_by(Vote.idea_id)
    )


def recent_vote_counts(idea_ids: list[int], days: int = 7) -> dict[int, int]:
    """Votes cast in the last `days` days, per idea, in one grouped query."""
    if not idea_ids:
        return {}
    rows = db.session.execute(recent_votes_query(idea_ids, days))
    return {idea_id: count for idea_id, count in rows}


RANK_SHOWN = 100  # an idea's place is counted up to here: below, the page says so
THIS_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class RankExplained:
    """Why an idea stands where it does, for its page: the figures each order is made of,
    and its trending score taken apart into the formula's terms."""

    at: datetime
    top_rank: int | None  # its place in the Top order; None below RANK_SHOWN
    trending_rank: int | None
    votes: int
    votes_this_week: int
    comments: int
    created_at: datetime
    trending: float  # = posted_worth + votes_worth
    posted_worth: float  # the idea's creation counts as one vote cast when it was posted
    votes_worth: float  # each vote's 2 ** -(days since it was cast / 7), added up


def explain_rank(idea: Idea, now: datetime | None = None) -> RankExplained:
    """One statement: how many ideas stand above it on the Top and Trending indexes (each
    counted up to RANK_SHOWN) and its votes this week (ix_votes_idea_created)."""
    now = now or datetime.now(UTC)
    recent = (select(func.count()).select_from(Vote)
              .where(Vote.idea_id == idea.id, Vote.created_at >= now - THIS_WEEK)
              .scalar_subquery())
    top, trending, this_week = db.session.execute(select(
        _above(idea, Sort.TOP), _above(idea, Sort.TRENDING), recent)).one()
    total = trending_now(idea.trending_score, now)
    posted_worth = trending_now(trending_weight(idea.created_at), now)
    return RankExplained(
        at=now, top_rank=top + 1 if top < RANK_SHOWN else None,
        trending_rank=trending + 1 if trending < RANK_SHOWN else None,
        votes=idea.vote_count, votes_this_week=this_week, comments=idea.comment_count,
        created_at=idea.created_at, trending=total, posted_worth=posted_worth,
        votes_worth=max(total - posted_worth, 0.0))


def _above(idea: Idea, sort: Sort):
    """How many public ideas come before it in `sort`, counted up to RANK_SHOWN."""
    columns = _sort_columns(sort)
    bounds = [literal(value, column.type)
              for column, value in zip(columns, sort_values(idea, sort), strict=True)]
    above = (select(Idea.id).where(public_filter(), tuple_(*columns) > tuple_(*bounds))
             .limit(RANK_SHOWN).subquery())
    return select(func.count()).select_from(above).scalar_subquery()
