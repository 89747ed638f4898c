"""Private notes to the caretaker: sent by anyone, read only by caretakers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Account, Message, User, utcnow

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


@dataclass
class InboxPage:
    messages: list[Message]
    next_before: int | None


def inbox(archived: bool = False, before_id: int | None = None,
          per_page: int = MESSAGES_PER_PAGE) -> InboxPage:
    """Newest first (ix_messages_inbox), the inbox or the archive."""
    query = select(Message).where(
        Message.archived_at.is_not(None) if archived else Message.archived_at.is_(None))
    if before_id is not None:
        query = query.where(Message.id < before_id)
    found = list(db.session.scalars(query.order_by(Message.id.desc()).limit(per_page + 1)))
    more = len(found) > per_page
    found = found[:per_page]
    return InboxPage(found, found[-1].id if more and found else None)


def unread_count() -> int:
    return db.session.scalar(select(func.count()).where(
        Message.archived_at.is_(None), Message.read_at.is_(None)))


def mark_read(message: Message, read: bool = True) -> None:
    message.read_at = (message.read_at or utcnow()) if read else None


def archive(message: Message, archived: bool = True) -> None:
    message.archived_at = (message.archived_at or utcnow()) if archived else None
