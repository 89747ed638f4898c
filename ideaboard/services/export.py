"""The board as CSV for the caretaker: ideas and votes, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ideaboard.extensions import db
from ideaboard.models import Category, Idea, User, Vote

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 1_000


def neutralised(value: object) -> object:
    """Text that a spreadsheet would take for a formula, with a leading apostrophe (the
    OWASP advice); numbers and everything else as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV text, a batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        writer.writerow([neutralised(value) for value in row])
        if n % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


IDEA_COLUMNS = ("id", "title", "url", "category", "status", "votes", "comments", "author",
                "created_at", "updated_at", "official_response", "responded_at", "hidden",
                "withdrawn", "merged_into")


def idea_rows() -> Iterator[tuple]:
    yield IDEA_COLUMNS
    query = (select(Idea, Category.name, User.display_name)
             .join(Category, Category.id == Idea.category_id)
             .join(User, User.id == Idea.author_id)
             .order_by(Idea.id).execution_options(yield_per=_BATCH))
    for idea, category, author in db.session.execute(query):
        yield (idea.id, idea.title, url_for("ideas.show", idea_id=idea.id, _external=True),
               category, idea.status.value, idea.vote_count, idea.comment_count, author,
               _iso(idea.created_at), _iso(idea.updated_at), idea.official_response or "",
               _iso(idea.responded_at), "yes" if idea.hidden_at else "no",
               "yes" if idea.withdrawn_at else "no", idea.merged_into_id or "")


VOTE_COLUMNS = ("idea_id", "idea_title", "member_id", "member", "voted_at")


def vote_rows() -> Iterator[tuple]:
    yield VOTE_COLUMNS
    voter = aliased(User)
    query = (select(Vote.idea_id, Idea.title, Vote.user_id, voter.display_name,
                    Vote.created_at)
             .join(Idea, Idea.id == Vote.idea_id).join(voter, voter.id == Vote.user_id)
             .order_by(Vote.idea_id, Vote.user_id).execution_options(yield_per=_BATCH))
    for idea_id, title, user_id, name, voted_at in db.session.execute(query):
        yield idea_id, title, user_id, name, _iso(voted_at)


def _iso(moment) -> str:
    return moment.isoformat() if moment is not None else ""
