"""Comments: a blog-like thread under each idea, open to members and visitors."""

from __future__ import annotations

from sqlalchemy import Select, select, update

from ideaboard.extensions import db
from ideaboard.models import Account, Comment, Idea, utcnow
from ideaboard.sanitize import render_markdown
from ideaboard.services.freshness import mark_board_changed


def _bump_comment_count(idea_id: int, by: int) -> None:
    mark_board_changed()
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id)
        .values(comment_count=Idea.comment_count + by)
        .execution_options(synchronize_session=False)
    )


def add_member_comment(idea: Idea, author: Account, body: str) -> Comment:
    return _add_comment(Comment(idea_id=idea.id, author_id=author.id, body=body))


def add_guest_comment(idea: Idea, name: str, email: str | None, body: str) -> Comment:
    """A visitor's comment: the name is shown, the email never is."""
    return _add_comment(
        Comment(idea_id=idea.id, guest_name=name, guest_email=email or None, body=body)
    )


def _add_comment(comment: Comment) -> Comment:
    comment.body_html = render_markdown(comment.body)
    comment.created_at = utcnow()
    db.session.add(comment)
    db.session.flush()
    _bump_comment_count(comment.idea_id, +1)
    return comment


def thread_query(idea_id: int, include_hidden: bool = False) -> Select:
    """The idea's comments, oldest first, like a blog thread (ix_comments_thread)."""
    query = select(Comment).where(Comment.idea_id == idea_id)
    if not include_hidden:
        query = query.where(Comment.hidden_at.is_(None))
    return query.order_by(Comment.created_at, Comment.id)


def thread(idea_id: int, include_hidden: bool = False) -> list[Comment]:
    return list(db.session.scalars(thread_query(idea_id, include_hidden)))


def set_comment_hidden(comment: Comment, hidden: bool) -> None:
    """Hide or restore a comment, keeping the idea's visible-comment count right."""
    if hidden and comment.hidden_at is None:
        comment.hidden_at = utcnow()
        _bump_comment_count(comment.idea_id, -1)
    elif not hidden and comment.hidden_at is not None:
        comment.hidden_at = None
        _bump_comment_count(comment.idea_id, +1)
