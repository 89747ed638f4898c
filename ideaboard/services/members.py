"""Members as the caretaker sees them: the list, suspending and lifting a suspension."""

from __future__ import annotations

import re

from sqlalchemy import bindparam, func, or_, select, update

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, Comment, Idea, Role, User, utcnow
from ideaboard.services import audit
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.paging import NewestFirst, newest_first

MEMBERS_PER_PAGE = 50
_LIKE_SPECIALS = re.compile(r"[\\%_]")


class NotSuspendable(ValueError):
    """Caretakers are not suspended: step them down first."""


def suspend(member: User, hide_content: bool, actor: Account) -> tuple[int, int]:
    """Stop `member` posting, voting, commenting and flagging (they still read), and, if
    asked, hide their ideas and comments in the same transaction; (ideas, comments) hidden.
    Content hidden here carries the suspension's moment, so lifting it can bring exactly
    that content back."""
    if member.role is Role.CARETAKER:
        raise NotSuspendable(member.id)
    if member.suspended_at is not None:
        return 0, 0
    now = utcnow()
    member.suspended_at = now
    hidden = _hide_content(member.id, now) if hide_content else (0, 0)
    mark_board_changed()
    audit.record(actor, AuditKind.SUSPEND, f"member {member.id}",
                 f"Suspended {member.display_name}"
                 + (f", hiding {hidden[0]} ideas and {hidden[1]} comments" if hide_content
                    else ""),
                 {"suspended": False}, {"suspended": True, "ideas_hidden": hidden[0],
                                        "comments_hidden": hidden[1]})
    return hidden


def lift_suspension(member: User, restore_content: bool, actor: Account) -> tuple[int, int]:
    """Let `member` take part again and, if asked, restore what the suspension hid (not
    what the caretaker hid otherwise); (ideas, comments) restored."""
    suspended_at = member.suspended_at
    if suspended_at is None:
        return 0, 0
    member.suspended_at = None
    restored = _restore_content(member.id, suspended_at) if restore_content else (0, 0)
    mark_board_changed()
    audit.record(actor, AuditKind.UNSUSPEND, f"member {member.id}",
                 f"Lifted the suspension of {member.display_name}"
                 + (f", restoring {restored[0]} ideas and {restored[1]} comments"
                    if restore_content else ""),
                 {"suspended": True}, {"suspended": False, "ideas_restored": restored[0],
                                       "comments_restored": restored[1]})
    return restored


def _hide_content(user_id: int, at) -> tuple[int, int]:
    ideas = db.session.execute(
        update(Idea).where(Idea.author_id == user_id, Idea.hidden_at.is_(None))
        .values(hidden_at=at).execution_options(synchronize_session=False)).rowcount
    comments = _move_comments(user_id, Comment.hidden_at.is_(None), hidden_at=at, by=-1)
    return ideas, comments


def _restore_content(user_id: int, at) -> tuple[int, int]:
    ideas = db.session.execute(
        update(Idea).where(Idea.author_id == user_id, Idea.hidden_at == at)
        .values(hidden_at=None).execution_options(synchronize_session=False)).rowcount
    comments = _move_comments(user_id, Comment.hidden_at == at, hidden_at=None, by=+1)
    return ideas, comments


def _move_comments(user_id: int, which, hidden_at, by: int) -> int:
    """Hide or show the member's comments matching `which`, moving each idea's visible
    count by `by` per comment: one grouped read, then one update per idea touched."""
    matching = (Comment.author_id == user_id, which)
    per_idea = db.session.execute(
        select(Comment.idea_id, func.count()).where(*matching).group_by(Comment.idea_id)).all()
    if not per_idea:
        return 0
    db.session.execute(update(Comment).where(*matching).values(hidden_at=hidden_at)
                       .execution_options(synchronize_session=False))
    ideas = Idea.__table__
    db.session.execute(
        update(ideas).where(ideas.c.id == bindparam("idea"))
        .values(comment_count=ideas.c.comment_count + bindparam("moved")),
        [{"idea": idea_id, "moved": by * count} for idea_id, count in per_idea])
    return sum(count for _idea, count in per_idea)


def members_page(search: str | None = None, before_id: int | None = None,
                 per_page: int | None = None) -> NewestFirst[User]:
    """Members, newest first, optionally those whose name or email contains `search`
    (MEMBERS_PER_PAGE a page unless told)."""
    query = select(User)
    if search:
        pattern = "%" + _LIKE_SPECIALS.sub("", search) + "%"
        query = query.where(or_(User.display_name.ilike(pattern), User.email.ilike(pattern)))
    return newest_first(query, User.id, before_id, per_page or MEMBERS_PER_PAGE)
