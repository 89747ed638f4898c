"""Newest-first pages of any table with growing integer ids: keyset paging on the primary
key, so page 500 costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from ideaboard.extensions import db

T = TypeVar("T")


@dataclass
class NewestFirst(Generic[T]):
    items: list[T]
    next_before: int | None  # the id the next page starts below, None on the last page


def newest_first(query: Select, id_column: Any, before_id: int | None,
                 per_page: int) -> NewestFirst:
    """A page of `query`'s rows by descending id, below `before_id`: per_page + 1 rows are
    read, the extra one telling there is a next page."""
    if before_id is not None:
        query = query.where(id_column < before_id)
    rows = list(db.session.scalars(query.order_by(id_column.desc()).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return NewestFirst(rows, rows[-1].id if more else None)
