"""Ideas: posting, editing, withdrawing, and the caretaker's status, response and moderation."""

from __future__ import annotations

from datetime import datetime

from ideaboard.extensions import db
from ideaboard.models import Account, Idea, Status, utcnow
from ideaboard.sanitize import plain_excerpt, render_markdown
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import trending_weight


def create_idea(
    author: Account, title: str, description: str, category_id: int, at: datetime | None = None
) -> Idea:
    """A new open idea; its creation counts as one vote's weight in Trending."""
    now = at or utcnow()
    idea = Idea(
        title=title,
        description=description,
        description_html=render_markdown(description),
        excerpt=plain_excerpt(description),
        author_id=author.id,
        category_id=category_id,
        status=Status.OPEN,
        created_at=now,
        updated_at=now,
        trending_score=trending_weight(now),
    )
    db.session.add(idea)
    db.session.flush()
    mark_board_changed()
    return idea


def edit_idea(idea: Idea, title: str, description: str, category_id: int) -> None:
    idea.title = title
    idea.description = description
    idea.description_html = render_markdown(description)
    idea.excerpt = plain_excerpt(description)
    idea.category_id = category_id
    idea.updated_at = utcnow()
    mark_board_changed()


def withdraw_idea(idea: Idea) -> None:
    """The author takes the idea off the board; the row (and its votes) stay for the record."""
    if idea.withdrawn_at is None:
        idea.withdrawn_at = utcnow()
        mark_board_changed()


def can_edit(user: Account | None, idea: Idea) -> bool:
    """Only the author edits or withdraws, and only while the idea is on the board."""
    return (
        user is not None
        and user.is_authenticated
        and idea.author_id == user.id
        and idea.is_public
    )


def can_view(user: Account | None, idea: Idea) -> bool:
    """Everyone sees public ideas; the caretaker also sees hidden ones."""
    if idea.is_public:
        return True
    is_caretaker = user is not None and user.is_authenticated and user.is_caretaker
    return is_caretaker and idea.withdrawn_at is None


def respond(idea: Idea, status: Status, response: str) -> None:
    """Set the status and the official response (empty text removes the response)."""
    idea.status = status
    mark_board_changed()
    response = response.strip()
    if response != (idea.official_response or ""):
        idea.official_response = response or None
        idea.official_response_html = render_markdown(response) if response else None
        idea.responded_at = utcnow() if response else None


def set_idea_hidden(idea: Idea, hidden: bool) -> None:
    """Hide from everyone but the caretaker, or restore; nothing is deleted."""
    mark_board_changed()
    if hidden and idea.hidden_at is None:
        idea.hidden_at = utcnow()
    elif not hidden:
        idea.hidden_at = None
