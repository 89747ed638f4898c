"""Private notes to the caretaker: sent by anyone, read only by caretakers."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Account, Message, User, utcnow
from ideaboard.services.paging import NewestFirst, newest_first

MESSAGES_PER_PAGE = 30


def send(sender: Account | None, name: str | None, email: str | None, body: str) -> Message:
    """A note from a visitor (their name and email) or a member (their account's)."""
    if sender is not None and sender.is_authenticated:
        user = db.session.get(User, sender.id)
        name, email = user.display_name, user.email
    message = Message(sender_id=sender.id if sender is not None and sender.is_authenticated
                      else None, name=name, email=email, body=body, created_at=utcnow())
    db.session.add(message)
    return message


def inbox(archived: bool = False, before_id: int | None = None,
          per_page: int = MESSAGES_PER_PAGE) -> NewestFirst[Message]:
    """Newest first (ix_messages_inbox), the inbox or the archive."""
    query = select(Message).where(
        Message.archived_at.is_not(None) if archived else Message.archived_at.is_(None))
    return newest_first(query, Message.id, before_id, per_page)


def unread_count() -> int:
    return db.session.scalar(select(func.count()).where(
        Message.archived_at.is_(None), Message.read_at.is_(None)))


def mark_read(message: Message, read: bool = True) -> None:
    message.read_at = (message.read_at or utcnow()) if read else None


def archive(message: Message, archived: bool = True) -> None:
    message.archived_at = (message.archived_at or utcnow()) if archived else None
