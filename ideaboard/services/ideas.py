"""Ideas: posting, editing, withdrawing, and the caretaker's status, response and moderation."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, Idea, Status, StatusChange, User, utcnow
from ideaboard.sanitize import plain_excerpt, render_markdown
from ideaboard.services import audit, flags, follows, nominations, notifications, webhooks
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import trending_weight


def create_idea(
    author: Account, title: str, description: str, category_id: int, at: datetime | None = None
) -> Idea:
    """A new open idea, which its author follows; its creation counts as one vote's weight
    in Trending."""
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
    follows.follow(author.id, idea.id)
    mark_board_changed()
    webhooks.idea_created(idea)
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


def respond(idea: Idea, status: Status, response: str | None, actor: Account,
            at: datetime | None = None) -> bool:
    """Set the status and the official response (empty text removes it, None keeps it),
    record the change in the idea's history and the audit log; False if neither changed."""
    at = at or utcnow()
    before = {"status": idea.status.value, "response": idea.official_response}
    status_changed = status is not idea.status
    response = idea.official_response or "" if response is None else response.strip()
    response_changed = response != (idea.official_response or "")
    if not (status_changed or response_changed):
        return False
    mark_board_changed()
    idea.status = status
    if response_changed:
        idea.official_response = response or None
        idea.official_response_html = render_markdown(response) if response else None
        idea.responded_at = at if response else None
    change = StatusChange(
        idea_id=idea.id, actor_id=actor.id, from_status=Status(before["status"]),
        to_status=status, created_at=at,
        response_html=idea.official_response_html if response_changed else None)
    db.session.add(change)
    notifications.idea_answered(idea, change)
    if status_changed or change.response_html is not None:  # not an answer taken back
        webhooks.status_changed(idea, change)
    after = {"status": status.value, "response": idea.official_response}
    if status_changed:
        summary = f"{Status(before['status']).label} → {status.label}"
    else:
        summary = "Official response changed" if response else "Official response removed"
    audit.record(actor, AuditKind.STATUS if status_changed else AuditKind.RESPONSE,
                 _subject(idea), f"{summary}: “{idea.title}”", before, after, at=at)
    return True


def respond_to_many(idea_ids: list[int], status: Status, response: str | None,
                    actor: Account) -> int:
    """`respond` for each of the ideas (those that exist), in the session's one transaction,
    so all change or none; how many changed."""
    found = db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids)).order_by(Idea.id))
    return sum(respond(idea, status, response, actor) for idea in found)


def by_ids(idea_ids: set[int]) -> dict[int, Idea]:
    """The ideas with these ids, by id, in one query."""
    if not idea_ids:
        return {}
    return {idea.id: idea for idea in db.session.scalars(
        select(Idea).where(Idea.id.in_(idea_ids)))}


class HistoryEntry(NamedTuple):
    """A status change as the idea's page shows it (plain columns: every uncached idea page
    asks)."""

    from_status: Status
    to_status: Status
    response_html: str | None
    created_at: datetime
    actor_name: str | None


def status_history(idea_id: int) -> list[HistoryEntry]:
    """The idea's status changes, newest first, with who made them (ix_status_changes_idea)."""
    rows = db.session.execute(
        select(StatusChange.from_status, StatusChange.to_status, StatusChange.response_html,
               StatusChange.created_at, User.display_name)
        .outerjoin(User, User.id == StatusChange.actor_id)
        .where(StatusChange.idea_id == idea_id).order_by(StatusChange.id.desc()))
    return [HistoryEntry(*row) for row in rows]


class StaysHidden(ValueError):
    """An idea that may not come back: a merged one, until its merge is undone; one whose
    proposed host declined, ever."""


def set_idea_hidden(idea: Idea, hidden: bool, actor: Account) -> None:
    """Hide from everyone but the caretaker, or restore; nothing is deleted."""
    if idea.merged_into_id is not None:
        raise StaysHidden("This idea is merged: undo the merge to bring it back.")
    if not hidden and nominations.declined(idea.id):
        raise StaysHidden("The person this idea proposes declined: it is never shown again.")
    if hidden:
        flags.resolve_for(idea_id=idea.id)
    if hidden == (idea.hidden_at is not None):
        return
    mark_board_changed()
    idea.hidden_at = utcnow() if hidden else None
    audit.record(actor, AuditKind.HIDE if hidden else AuditKind.RESTORE, _subject(idea),
                 f"{'Hid' if hidden else 'Restored'} the idea “{idea.title}”",
                 {"hidden": not hidden}, {"hidden": hidden})


def _subject(idea: Idea) -> str:
    return f"idea {idea.id}"
