"""Keyset pages: a page starts below (or after) the last row of the one before, so page 500
costs what page 1 costs, and rows added meanwhile never shift a page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, literal, tuple_

from ideaboard.extensions import db

T = TypeVar("T")


def cut(rows: list[T], per_page: int, cursor: Callable[[T], int] = lambda row: row.id,
        ) -> tuple[list[T], int | None]:
    """`rows` were read with a limit of per_page + 1, the extra one telling there is a next
    page: the page, and the cursor of its last row if a next page follows (else None)."""
    page = rows[:per_page]
    return page, cursor(page[-1]) if len(rows) > per_page else None


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
    return NewestFirst(*cut(list(db.session.scalars(
        query.order_by(id_column.desc()).limit(per_page + 1))), per_page))


@dataclass
class After(Generic[T]):
    items: list[T]
    next_after: int | None  # where the next page starts (after this id), None on the last


def ordered_after(query: Select, columns: Sequence[Any], anchor: Sequence[Any] | None,
                  per_page: int, *, descending: bool = False,
                  cursor: Callable[[Any], int] = lambda row: row.id) -> After:
    """A page of `query`'s rows in the order of `columns` (the last one the id), starting
    after the row whose values of those columns are `anchor` (None: the first page); the
    next page starts after the `cursor` of this one's last row."""
    if anchor is not None:
        bounds = tuple_(*(literal(value, column.type) for value, column
                          in zip(anchor, columns, strict=True)))
        query = query.where(tuple_(*columns) < bounds if descending
                            else tuple_(*columns) > bounds)
    order = [column.desc() for column in columns] if descending else list(columns)
    return After(*cut(list(db.session.scalars(query.order_by(*order).limit(per_page + 1))),
                      per_page, cursor))
