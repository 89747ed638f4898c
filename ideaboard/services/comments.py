"""Comments: a blog-like thread under each idea, open to members and visitors."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, func, literal, select, tuple_, update

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, Comment, Idea, User, utcnow
from ideaboard.sanitize import render_markdown
from ideaboard.services import audit, flags, paging
from ideaboard.services.freshness import mark_comments_changed


def _bump_comment_count(idea_id: int, by: int) -> None:
    mark_comments_changed()
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id)
        .values(comment_count=Idea.comment_count + by)
        .execution_options(synchronize_session=False)
    )


def add_member_comment(idea: Idea, author: Account, body: str) -> Comment:
    return _add_comment(Comment(idea_id=idea.id, author_id=author.id, body=body))


def add_guest_comment(idea: Idea, name: str, email: str | None, body: str,
                      held: bool = False) -> Comment:
    """A visitor's comment: the name is shown, the email never is. A `held` one waits,
    hidden, for the caretaker's approval."""
    comment = Comment(idea_id=idea.id, guest_name=name, guest_email=email or None, body=body)
    if held:
        comment.held_at = comment.hidden_at = utcnow()
    return _add_comment(comment)


def _add_comment(comment: Comment) -> Comment:
    comment.body_html = render_markdown(comment.body)
    comment.created_at = utcnow()
    db.session.add(comment)
    db.session.flush()
    if comment.hidden_at is None:
        _bump_comment_count(comment.idea_id, +1)
    return comment


class ThreadComment(NamedTuple):
    """A comment as its idea's page shows it: plain columns, not an ORM object (a long
    thread's objects cost more than rendering it)."""

    id: int
    display_name: str
    author_id: int | None
    body_html: str
    created_at: datetime
    hidden_at: datetime | None
    held_at: datetime | None
    merged_from_id: int | None

    @property
    def is_member_comment(self) -> bool:
        return self.author_id is not None


THREAD_PAGE = 50  # comments an idea's page shows at once; "Show more comments" for the rest


def thread_query(idea_id: int, include_hidden: bool = False) -> Select:
    """The idea's comments with their authors' names, oldest first, like a blog thread
    (ix_comments_thread)."""
    query = (
        select(Comment.id, func.coalesce(User.display_name, Comment.guest_name),
               Comment.author_id, Comment.body_html, Comment.created_at, Comment.hidden_at,
               Comment.held_at, Comment.merged_from_id)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.idea_id == idea_id)
    )
    if not include_hidden:
        query = query.where(Comment.hidden_at.is_(None))
    return query.order_by(Comment.created_at, Comment.id)


def thread(idea_id: int, include_hidden: bool = False,
           after: int | None = None) -> paging.After[ThreadComment]:
    """A page of the idea's thread: the first comments, or those after the comment `after`
    (keyset on the thread's order; a comment not on this idea starts at the beginning)."""
    query = thread_query(idea_id, include_hidden)
    anchor = _thread_anchor(idea_id, after) if after is not None else None
    if anchor is not None:
        query = query.where(tuple_(Comment.created_at, Comment.id) > tuple_(
            literal(anchor, Comment.created_at.type), literal(after)))
    rows = [ThreadComment(*row) for row in db.session.execute(query.limit(THREAD_PAGE + 1))]
    return paging.After(*paging.cut(rows, THREAD_PAGE))


def _thread_anchor(idea_id: int, comment_id: int) -> datetime | None:
    return db.session.scalar(select(Comment.created_at).where(
        Comment.id == comment_id, Comment.idea_id == idea_id))


def page_of(comment: Comment, include_hidden: bool = False) -> int | None:
    """Where the page of the thread holding `comment` starts: the `after` that shows it
    (None: the first page)."""
    before = thread_query(comment.idea_id, include_hidden).where(
        tuple_(Comment.created_at, Comment.id) < tuple_(
            literal(comment.created_at, Comment.created_at.type), literal(comment.id)))
    earlier = db.session.scalar(before.with_only_columns(func.count()).order_by(None))
    pages_before = earlier // THREAD_PAGE
    if pages_before == 0:
        return None
    return db.session.scalar(before.with_only_columns(Comment.id).offset(
        pages_before * THREAD_PAGE - 1).limit(1))


def set_comment_hidden(comment: Comment, hidden: bool, actor: Account) -> None:
    """Hide or restore a comment, keeping the idea's visible-comment count right. Hiding
    settles the flags on it; restoring a comment that waits for approval approves it."""
    if hidden:
        flags.resolve_for(comment_id=comment.id)
    if comment.held_at is not None:
        _decide_held(comment, approve=not hidden, actor=actor)
        return
    if hidden == (comment.hidden_at is not None):
        return
    comment.hidden_at = utcnow() if hidden else None
    _bump_comment_count(comment.idea_id, -1 if hidden else +1)
    audit.record(actor, AuditKind.HIDE if hidden else AuditKind.RESTORE, _subject(comment),
                 f"{'Hid' if hidden else 'Restored'} a comment on idea {comment.idea_id}",
                 {"hidden": not hidden}, {"hidden": hidden})


def approve(comment: Comment, actor: Account) -> None:
    """Publish a comment that waited for approval (nothing to do for any other)."""
    if comment.held_at is not None:
        _decide_held(comment, approve=True, actor=actor)


def _decide_held(comment: Comment, approve: bool, actor: Account) -> None:
    comment.held_at = None
    if approve:
        comment.hidden_at = None
        _bump_comment_count(comment.idea_id, +1)
    audit.record(actor, AuditKind.APPROVE if approve else AuditKind.HIDE, _subject(comment),
                 f"{'Approved' if approve else 'Hid'} a waiting comment by "
                 f"{comment.guest_name or 'a member'} on idea {comment.idea_id}",
                 {"waiting": True}, {"waiting": False, "hidden": not approve})


def delete_as_spam(comment: Comment, actor: Account) -> None:
    """Remove the comment for good (its flags go with it); the log keeps what it said."""
    if comment.hidden_at is None:
        _bump_comment_count(comment.idea_id, -1)
    audit.record(actor, AuditKind.DELETE, _subject(comment),
                 f"Deleted as spam a comment by {comment.display_name} on idea "
                 f"{comment.idea_id}",
                 {"name": comment.display_name, "body": comment.body[:500]}, None)
    db.session.delete(comment)


WAITING_PER_PAGE = 50


def waiting(after: int | None = None) -> paging.After[Comment]:
    """Comments waiting for approval, the longest waiting first, a page starting after the
    comment with id `after` (keyset on ix_comments_held)."""
    anchor = db.session.get(Comment, after) if after is not None else None
    if anchor is not None and anchor.held_at is None:  # approved meanwhile: go on from its id
        anchor = None
        query = select(Comment).where(Comment.held_at.is_not(None), Comment.id > after)
    else:
        query = select(Comment).where(Comment.held_at.is_not(None))
    return paging.ordered_after(query, (Comment.held_at, Comment.id),
                                (anchor.held_at, anchor.id) if anchor else None,
                                WAITING_PER_PAGE)


def waiting_count() -> int:
    return db.session.scalar(select(func.count()).where(Comment.held_at.is_not(None)))


def _subject(comment: Comment) -> str:
    return f"comment {comment.id}"
