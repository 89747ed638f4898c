"""A member deletes their account.

Their votes go (each idea's counts and trending score recomputed from the rows that stay),
and so does everything that is only theirs: sessions, API tokens, follows, invitations,
mail not yet sent to them. Their ideas and comments either stay, signed "A former member",
or go too, as they choose:
- a comment of theirs that others replied to becomes "Comment deleted", as when they delete
  it themselves, so the replies keep their place;
- an idea of theirs goes with its comments and votes; ideas merged into it are put back on
  the board first (their votes and comments with them), and comments that came to another
  idea by merging theirs stay there.

The account's row stays, emptied ("A former member", an address that cannot receive mail,
a password nobody knows), because the caretaker's records (status history, audit log,
planned chats) and whatever they left behind still point to it. The last caretaker cannot
leave before handing over the baton.
"""

from __future__ import annotations

import enum
import secrets

from sqlalchemy import delete, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    ApiToken,
    CaretakerInvitation,
    Comment,
    Follow,
    Idea,
    LoginSession,
    Merge,
    MergedVote,
    OutboxMessage,
    Role,
    User,
    Vote,
    utcnow,
)
from ideaboard.services import accounts, comments, merging
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.maintenance import recompute_counts

FORMER_MEMBER = "A former member"


class Content(enum.StrEnum):
    ANONYMISE = "anonymise"
    DELETE = "delete"


class DeletionRefused(Exception):
    """The account cannot be deleted now; the message says why."""


def delete_account(user: User, content: Content) -> None:
    """Delete the member's account in the session's transaction (the caller commits)."""
    if user.is_deleted:
        raise DeletionRefused("This account is already deleted.")
    if user.role is Role.CARETAKER and _is_last_caretaker(user):
        raise DeletionRefused("You are the last caretaker: invite a member to take over, "
                              "then delete your account.")
    _remove_votes(user.id)
    if content is Content.DELETE:
        _delete_comments(user)
        _delete_ideas(user)
    for model in (LoginSession, ApiToken, Follow):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(CaretakerInvitation).where(
        (CaretakerInvitation.invitee_id == user.id) | (CaretakerInvitation.inviter_id == user.id),
        CaretakerInvitation.answered_at.is_(None)))
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.recipient == user.email, OutboxMessage.sent_at.is_(None)))
    _empty(user)
    mark_board_changed()


def _is_last_caretaker(user: User) -> bool:
    caretakers = db.session.scalars(
        select(User.id).where(User.role == Role.CARETAKER).order_by(User.id)
        .with_for_update()).all()
    return set(caretakers) <= {user.id}


def _remove_votes(user_id: int) -> None:
    voted = list(db.session.scalars(select(Vote.idea_id).where(Vote.user_id == user_id)))
    db.session.execute(delete(Vote).where(Vote.user_id == user_id))
    # What undoing a merge would give back: not their vote any more.
    db.session.execute(delete(MergedVote).where(MergedVote.user_id == user_id))
    if voted:
        recompute_counts(voted)


def _delete_comments(user: User) -> None:
    """Replies first, so that a comment left with none goes rather than staying a place."""
    mine = list(db.session.scalars(
        select(Comment).where(Comment.author_id == user.id, Comment.deleted_at.is_(None))
        .order_by(Comment.parent_id.is_(None), Comment.id)))
    for comment in mine:
        if db.session.get(Comment, comment.id) is not None:  # not gone with its thread
            comments.delete_own(user, comment)
    db.session.flush()


def _delete_ideas(user: User) -> None:
    idea_ids = list(db.session.scalars(select(Idea.id).where(Idea.author_id == user.id)))
    if not idea_ids:
        return
    merged_in = db.session.scalars(
        select(Merge).where(Merge.target_id.in_(idea_ids), Merge.undone_at.is_(None),
                            Merge.source_id.not_in(idea_ids)))
    for record in list(merged_in):
        try:
            merging.undo(db.session.get(Idea, record.source_id), user)
        except merging.MergeRefused:  # its target is itself merged: it stays merged away
            continue
    db.session.execute(update(Comment).where(Comment.merged_from_id.in_(idea_ids))
                       .values(merged_from_id=None).execution_options(synchronize_session=False))
    db.session.execute(update(Idea).where(Idea.merged_into_id.in_(idea_ids))
                       .values(merged_into_id=None).execution_options(synchronize_session=False))
    db.session.execute(delete(Idea).where(Idea.id.in_(idea_ids))
                       .execution_options(synchronize_session=False))
    db.session.expire_all()


def _empty(user: User) -> None:
    user.email = f"deleted-{user.id}@deleted.invalid"  # .invalid: never a real mailbox
    user.display_name = FORMER_MEMBER
    user.password_hash = accounts.hash_password(secrets.token_urlsafe(32))
    user.bio = user.handle = None
    user.role = Role.MEMBER
    user.email_verified_at = None
    user.digest_subscribed = False
    user.deleted_at = utcnow()
