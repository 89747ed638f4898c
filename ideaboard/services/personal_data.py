"""Everything the board holds about a member, as one JSON document they can download:
their account, what they follow and hear of it, their ideas, comments and votes, their
notes to the caretaker and the names of their API tokens (never a token itself, which the
board does not keep)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import ApiToken, Comment, Follow, Idea, Message, User, Vote, utcnow

FORMAT = "ideaboard-personal-data/1"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def export(user: User) -> dict[str, Any]:
    """The member's data, oldest first in each list."""
    return {
        "format": FORMAT,
        "exported_at": _when(utcnow()),
        "account": {
            "id": user.id, "display_name": user.display_name, "email": user.email,
            "email_confirmed_at": _when(user.email_verified_at), "handle": user.handle,
            "bio": user.bio, "role": user.role.value, "created_at": _when(user.created_at),
            "suspended_at": _when(user.suspended_at),
        },
        "notifications": {
            "status_changes_and_answers": user.notify_updates.value,
            "comments_on_followed_ideas": user.notify_comments.value,
            "replies_to_my_comments": user.notify_replies.value,
            "weekly_digest": user.digest_subscribed,
        },
        "following": [
            {"idea_id": idea_id, "idea_title": title, "since": _when(created_at)}
            for idea_id, title, created_at in db.session.execute(
                select(Follow.idea_id, Idea.title, Follow.created_at)
                .join(Idea, Idea.id == Follow.idea_id).where(Follow.user_id == user.id)
                .order_by(Follow.created_at, Follow.idea_id))
        ],
        "ideas": [
            {"id": idea.id, "title": idea.title, "description": idea.description,
             "category": idea.category.name, "status": idea.status.value,
             "votes": idea.vote_count, "comments": idea.comment_count,
             "created_at": _when(idea.created_at), "withdrawn_at": _when(idea.withdrawn_at),
             "hidden_by_caretaker": idea.hidden_at is not None}
            for idea in db.session.scalars(
                select(Idea).options(joinedload(Idea.category))
                .where(Idea.author_id == user.id).order_by(Idea.created_at, Idea.id))
        ],
        "comments": [
            {"id": comment.id, "idea_id": comment.idea_id, "reply_to": comment.parent_id,
             "body": comment.body, "created_at": _when(comment.created_at),
             "edited_at": _when(comment.edited_at),
             "hidden_by_caretaker": comment.hidden_at is not None}
            for comment in db.session.scalars(
                select(Comment).where(Comment.author_id == user.id, Comment.deleted_at.is_(None))
                .order_by(Comment.created_at, Comment.id))
        ],
        "votes": [
            {"idea_id": idea_id, "idea_title": title, "voted_at": _when(created_at)}
            for idea_id, title, created_at in db.session.execute(
                select(Vote.idea_id, Idea.title, Vote.created_at)
                .join(Idea, Idea.id == Vote.idea_id).where(Vote.user_id == user.id)
                .order_by(Vote.created_at, Vote.idea_id))
        ],
        "messages_to_the_caretaker": [
            {"body": message.body, "sent_at": _when(message.created_at)}
            for message in db.session.scalars(
                select(Message).where(Message.sender_id == user.id).order_by(Message.id))
        ],
        "api_tokens": [
            {"name": token.name, "created_at": _when(token.created_at),
             "last_used_at": _when(token.last_used_at)}
            for token in db.session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
        ],
    }
