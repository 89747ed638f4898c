"""What the API answers: ideas, comments and categories as JSON-ready dicts, and the
opaque cursors its lists page with."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from flask import request, url_for

from ideaboard.api.errors import ApiError
from ideaboard.inputs import ID_MAX
from ideaboard.models import Category, Comment, Idea
from ideaboard.services.comments import ThreadComment
from ideaboard.services.ranking import Sort, sort_values
from ideaboard.services.search import MAX_PAGE
from ideaboard.templating import idea_url


def timestamp(at: datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second: 2026-12-04T19:06:20Z."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at is not None else None


def absolute(path: str) -> str:
    return request.host_url[:-1] + path


def category_json(category: Category) -> dict:
    return {"id": category.id, "name": category.name, "slug": category.slug}


def idea_json(idea: Idea, voted: bool | None = None, votes: int | None = None) -> dict:
    """The idea as the API shows it; `voted` only for a member (None: a visitor), `votes`
    when the member's view has a newer count than the row."""
    payload = {
        "id": idea.id,
        "title": idea.title,
        "body_html": idea.description_html,
        "category": category_json(idea.category),
        "status": idea.status.value,
        # null while only the caretaker may know it (a nomination awaiting its nominee)
        "votes": None if idea.awaiting_consent else idea.vote_count if votes is None else votes,
        "comments": idea.comment_count,
        "author": {"name": idea.author.display_name},
        "created_at": timestamp(idea.created_at),
        "updated_at": timestamp(idea.updated_at),
        "official_response": None if idea.official_response_html is None else {
            "body_html": idea.official_response_html,
            "responded_at": timestamp(idea.responded_at)},
        "url": absolute(idea_url(idea)),
    }
    if voted is not None:
        payload["voted"] = voted
    return payload


def comment_json(comment: ThreadComment | Comment, held: bool = False) -> dict:
    """A comment of the thread, or one just posted (`held` if it waits for approval)."""
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "body_html": comment.body_html,
        "author": {"name": comment.display_name, "member": comment.is_member_comment},
        "created_at": timestamp(comment.created_at),
        "edited_at": timestamp(comment.edited_at) if comment.edited_at else None,
        "held": held,
        "url": url_for("ideas.comment_link", comment_id=comment.id, _external=True),
    }


# A cursor is where a page ended, in the order's own columns (not an offset, and not an id
# to look up again): the next page starts right after that position even if ideas were
# added, or the last idea's votes changed, in between.
CURSOR_REFUSED = "This cursor is not one this list gave out (or it is for another order)."


def idea_cursor(idea: Idea, sort: Sort) -> str:
    values = [value.isoformat() if isinstance(value, datetime) else value
              for value in sort_values(idea, sort)]
    return _encoded([sort.value, *values])


def after_values(cursor: str, sort: Sort) -> list:
    """The sort values a cursor from `idea_cursor` holds; 400 for anything else."""
    kind, *values = _decoded(cursor)
    if kind != sort.value or len(values) != (2 if sort is Sort.NEW else 3):
        raise _refused()
    *leading, created_at, idea_id = values
    if leading and not _number(leading[0], float if sort is Sort.TRENDING else int):
        raise _refused()
    if not isinstance(created_at, str) or not _number(idea_id, int) or not 0 < idea_id <= ID_MAX:
        raise _refused()
    try:
        at = datetime.fromisoformat(created_at)
    except ValueError:
        raise _refused() from None
    if at.tzinfo is None:
        raise _refused()
    return [*leading, at, idea_id]


# Search results are ranked by relevance, which has no column to seek on: their cursor is
# the next page's number (search.MAX_PAGE pages at most).
def search_cursor(page: int) -> str:
    return _encoded(["q", page])


def search_page(cursor: str) -> int:
    """The page number a cursor from `search_cursor` holds; 400 for anything else."""
    kind, *values = _decoded(cursor)
    if kind != "q" or len(values) != 1 or not _number(values[0], int):
        raise _refused()
    if not 1 < values[0] <= MAX_PAGE:
        raise _refused()
    return values[0]


def _encoded(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decoded(cursor: str) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError):
        raise _refused() from None
    if not isinstance(values, list) or not values:
        raise _refused()
    return values


def _number(value: object, kind: type) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if kind is int:
        return isinstance(value, int) and abs(value) < 2**63
    return abs(value) < 1e308


def _refused() -> ApiError:
    return ApiError(400, CURSOR_REFUSED, {"cursor": CURSOR_REFUSED})
