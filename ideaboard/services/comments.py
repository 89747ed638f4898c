"""Comments: a blog-like thread under each idea, open to members and visitors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, exists, func, literal, or_, select, tuple_, update
from sqlalchemy.orm import aliased

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, Comment, Idea, User, utcnow
from ideaboard.sanitize import render_markdown
from ideaboard.services import audit, flags, follows, notifications, paging, webhooks
from ideaboard.services.freshness import mark_comments_changed


def _bump_comment_count(idea_id: int, by: int) -> None:
    mark_comments_changed()
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id)
        .values(comment_count=Idea.comment_count + by)
        .execution_options(synchronize_session=False)
    )


EDIT_WINDOW = timedelta(minutes=15)  # how long a member may edit a comment they wrote
GONE = "This comment is no longer there."
EDIT_CLOSED = ("A comment can be edited for 15 minutes after it is posted: this one can no "
               "longer be. You can still delete it.")


class NotAllowed(Exception):
    """What a member asked of a comment is not allowed (any more); the message says why."""


def add_member_comment(idea: Idea, author: Account, body: str,
                       parent: Comment | None = None) -> Comment:
    """A member's comment; commenting follows the idea."""
    follows.follow(author.id, idea.id)
    return _add_comment(idea, Comment(idea_id=idea.id, author_id=author.id, body=body,
                                      parent_id=parent.id if parent else None))


def add_guest_comment(idea: Idea, name: str, email: str | None, body: str,
                      held: bool = False, parent: Comment | None = None,
                      email_replies: bool = False) -> Comment:
    """A visitor's comment: the name is shown, the email never is (it is where replies are
    mailed, if they asked). A `held` one waits, hidden, for the caretaker's approval."""
    comment = Comment(idea_id=idea.id, guest_name=name, guest_email=email or None, body=body,
                      parent_id=parent.id if parent else None,
                      email_replies=bool(email and email_replies))
    if held:
        comment.held_at = comment.hidden_at = utcnow()
    return _add_comment(idea, comment)


def reply_target(idea_id: int, comment_id: int) -> Comment:
    """The comment a reply to `comment_id` goes under: that comment, or the one it answers
    when it is itself a reply (threads are one level deep). NotAllowed unless the thread is
    on this idea's page: the comment visible, or holding the place of visible replies."""
    comment = db.session.get(Comment, comment_id)
    if comment is not None and comment.idea_id == idea_id:
        if comment.parent_id is not None and comment.hidden_at is None:
            return db.session.get(Comment, comment.parent_id)
        if comment.parent_id is None and (comment.hidden_at is None or _has_visible_replies(
                comment.id)):
            return comment
    raise NotAllowed("The comment you replied to is no longer there: "
                     "post yours as a new comment.")


def _has_visible_replies(comment_id: int) -> bool:
    return db.session.scalar(select(exists().where(
        Comment.parent_id == comment_id, Comment.hidden_at.is_(None))))


def _add_comment(idea: Idea, comment: Comment) -> Comment:
    comment.body_html = render_markdown(comment.body)
    comment.created_at = utcnow()
    db.session.add(comment)
    db.session.flush()
    if comment.hidden_at is None:
        _bump_comment_count(comment.idea_id, +1)
        notifications.comment_published(comment, idea)
        webhooks.comment_created(comment, idea)
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
    parent_id: int | None
    edited_at: datetime | None
    deleted_at: datetime | None

    @property
    def is_member_comment(self) -> bool:
        return self.author_id is not None

    @property
    def edit_deadline(self) -> int:
        """Until when (Unix time) its author may edit it."""
        return int((self.created_at + EDIT_WINDOW).timestamp())


THREAD_PAGE = 50  # comments an idea's page shows at once, with their replies; then "Show more"


@dataclass
class Thread(paging.After[ThreadComment]):
    """A page of an idea's comments (`items`), the replies under each (by its id)."""

    replies: dict[int, list[ThreadComment]] = field(default_factory=dict)

    def in_order(self) -> list[ThreadComment]:
        """As the page reads: each comment, then the replies under it."""
        ordered = []
        for comment in self.items:
            ordered.append(comment)
            ordered.extend(self.replies.get(comment.id, ()))
        return ordered


def _comments() -> Select:
    return (
        select(Comment.id, func.coalesce(User.display_name, Comment.guest_name),
               Comment.author_id, Comment.body_html, Comment.created_at, Comment.hidden_at,
               Comment.held_at, Comment.merged_from_id, Comment.parent_id, Comment.edited_at,
               Comment.deleted_at)
        .outerjoin(User, User.id == Comment.author_id)
    )


def visible_query(idea_id: int) -> Select:
    """The idea's visible comments and replies in one list, oldest first, as feeds and the
    API give them (ix_comments_thread)."""
    return (_comments().where(Comment.idea_id == idea_id, Comment.hidden_at.is_(None))
            .order_by(Comment.created_at, Comment.id))


def visible_page(idea_id: int, after: int | None = None) -> paging.After[ThreadComment]:
    """A page of `visible_query`, after the comment `after`."""
    query = visible_query(idea_id)
    anchor = _created_at(idea_id, after) if after is not None else None
    if anchor is not None:
        query = query.where(_after(anchor, after))
    rows = [ThreadComment(*row) for row in db.session.execute(query.limit(THREAD_PAGE + 1))]
    return paging.After(*paging.cut(rows, THREAD_PAGE))


def top_level_query(idea_id: int, include_hidden: bool = False) -> Select:
    """The idea's comments that are not replies, oldest first (ix_comments_top). A hidden
    or deleted one still holds its place for everyone while replies under it are visible."""
    query = _comments().where(Comment.idea_id == idea_id, Comment.parent_id.is_(None))
    if not include_hidden:
        reply = aliased(Comment)
        query = query.where(or_(Comment.hidden_at.is_(None), exists().where(
            reply.parent_id == Comment.id, reply.hidden_at.is_(None))))
    return query.order_by(Comment.created_at, Comment.id)


def thread(idea_id: int, include_hidden: bool = False, after: int | None = None) -> Thread:
    """A page of the idea's thread: the first comments, or those after the comment `after`
    (keyset on the thread's order; a comment not on this idea starts at the beginning),
    each with its replies (one more query, ix_comments_replies)."""
    query = top_level_query(idea_id, include_hidden)
    anchor = _created_at(idea_id, after) if after is not None else None
    if anchor is not None:
        query = query.where(_after(anchor, after))
    rows = [ThreadComment(*row) for row in db.session.execute(query.limit(THREAD_PAGE + 1))]
    page = Thread(*paging.cut(rows, THREAD_PAGE))
    if page.items:
        replies = replies_query([c.id for c in page.items], include_hidden)
        for row in db.session.execute(replies):
            page.replies.setdefault(row.parent_id, []).append(ThreadComment(*row))
    return page


def replies_query(comment_ids: list[int], include_hidden: bool = False) -> Select:
    """The replies under these comments, oldest first under each (ix_comments_replies)."""
    query = _comments().where(Comment.parent_id.in_(comment_ids))
    if not include_hidden:
        query = query.where(Comment.hidden_at.is_(None))
    return query.order_by(Comment.parent_id, Comment.created_at, Comment.id)


def _after(created_at: datetime, comment_id: int):
    return tuple_(Comment.created_at, Comment.id) > tuple_(
        literal(created_at, Comment.created_at.type), literal(comment_id))


def _created_at(idea_id: int, comment_id: int) -> datetime | None:
    return db.session.scalar(select(Comment.created_at).where(
        Comment.id == comment_id, Comment.idea_id == idea_id))


def page_of(comment: Comment, include_hidden: bool = False) -> int | None:
    """Where the page of the thread holding `comment` (or, for a reply, the comment it
    answers) starts: the `after` that shows it (None: the first page)."""
    if comment.parent_id is not None:
        comment = db.session.get(Comment, comment.parent_id)
    before = top_level_query(comment.idea_id, include_hidden).where(
        tuple_(Comment.created_at, Comment.id) < tuple_(
            literal(comment.created_at, Comment.created_at.type), literal(comment.id)))
    earlier = db.session.scalar(before.with_only_columns(func.count()).order_by(None))
    pages_before = earlier // THREAD_PAGE
    if pages_before == 0:
        return None
    return db.session.scalar(before.with_only_columns(Comment.id).offset(
        pages_before * THREAD_PAGE - 1).limit(1))


def can_edit(account: Account, comment: Comment, now: datetime | None = None) -> bool:
    return (account.is_authenticated and comment.author_id == account.id
            and comment.hidden_at is None
            and (now or utcnow()) < comment.created_at + EDIT_WINDOW)


def edit_comment(account: Account, comment: Comment, body: str) -> None:
    """The author's correction, within EDIT_WINDOW of posting; marked edited."""
    if not can_edit(account, comment):
        raise NotAllowed(EDIT_CLOSED)
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = utcnow()
    mark_comments_changed()


def delete_own(account: Account, comment: Comment) -> None:
    """The author takes their comment back: it goes, or, while replies answer it, its place
    stays as "Comment deleted", emptied and hidden. Deleting the last reply under such a
    place takes the place away too."""
    if not account.is_authenticated or comment.author_id != account.id \
            or comment.deleted_at is not None:
        raise NotAllowed(GONE)
    flags.resolve_for(comment_id=comment.id)
    if comment.hidden_at is None:
        _bump_comment_count(comment.idea_id, -1)
    mark_comments_changed()
    if has_replies(comment.id):
        comment.body = comment.body_html = ""
        comment.deleted_at = utcnow()
        comment.hidden_at = comment.hidden_at or comment.deleted_at
        comment.held_at = None
        return
    parent_id = comment.parent_id
    db.session.delete(comment)
    db.session.flush()
    if parent_id is not None:
        _drop_emptied_place(parent_id)


def has_replies(comment_id: int) -> bool:
    """Whether any reply answers it, on show or not."""
    return db.session.scalar(select(exists().where(Comment.parent_id == comment_id)))


def _drop_emptied_place(comment_id: int) -> None:
    parent = db.session.get(Comment, comment_id)
    if parent.deleted_at is not None and not has_replies(comment_id):
        db.session.delete(parent)


def set_comment_hidden(comment: Comment, hidden: bool, actor: Account) -> None:
    """Hide or restore a comment, keeping the idea's visible-comment count right. Hiding
    settles the flags on it; restoring a comment that waits for approval approves it."""
    if comment.deleted_at is not None:  # its author deleted it: nothing to show or hide
        return
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
        idea = db.session.get(Idea, comment.idea_id)
        notifications.comment_published(comment, idea)
        webhooks.comment_created(comment, idea)
    audit.record(actor, AuditKind.APPROVE if approve else AuditKind.HIDE, _subject(comment),
                 f"{'Approved' if approve else 'Hid'} a waiting comment by "
                 f"{comment.guest_name or 'a member'} on idea {comment.idea_id}",
                 {"waiting": True}, {"waiting": False, "hidden": not approve})


def delete_as_spam(comment: Comment, actor: Account) -> None:
    """Remove the comment for good, with the replies under it (their flags go with them);
    the log keeps what it said."""
    replies = list(db.session.scalars(select(Comment).where(Comment.parent_id == comment.id)))
    for gone in [*replies, comment]:
        if gone.hidden_at is None:
            _bump_comment_count(gone.idea_id, -1)
    audit.record(actor, AuditKind.DELETE, _subject(comment),
                 f"Deleted as spam a comment by {comment.display_name} on idea "
                 f"{comment.idea_id}" + (f", and the {len(replies)} replies to it"
                                         if replies else ""),
                 {"name": comment.display_name, "body": comment.body[:500]}, None)
    for reply in replies:
        db.session.delete(reply)
    db.session.flush()
    parent_id = comment.parent_id
    db.session.delete(comment)
    db.session.flush()
    if parent_id is not None:
        _drop_emptied_place(parent_id)


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
