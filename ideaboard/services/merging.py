"""Merging duplicate ideas, and undoing a merge exactly.

Merging A into B, in one transaction: A's votes move to B, except a member's who voted for
both (they keep their one vote on B); A's comments move to B, marked with where they came
from; A leaves the board (hidden, pointing to B). Everything that moved is recorded beside
the merge, so undoing it puts back exactly A's votes and comments, also after more votes and
comments came in on B, which stay on B.

Merges undo last-first: while B is itself merged into C, the merge of A into B waits until
that one is undone.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, insert, or_, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Account,
    AuditKind,
    Comment,
    Idea,
    Merge,
    MergedComment,
    MergedVote,
    Vote,
    utcnow,
)
from ideaboard.services import audit
from ideaboard.services.freshness import mark_board_changed, mark_votes_changed
from ideaboard.services.maintenance import recompute_counts


class MergeRefused(ValueError):
    """The merge (or its undoing) would not make sense; the message says why."""


def merge(source: Idea, target: Idea, actor: Account) -> Merge:
    """Merge `source` into `target` in the session's transaction (see the module)."""
    if source.id == target.id:
        raise MergeRefused("An idea cannot be merged into itself.")
    _lock(source.id, target.id)
    for idea in (source, target):
        if not idea.is_public:
            raise MergeRefused(f"Idea {idea.id} is not on the board: only ideas on the board "
                               "can be merged.")
    now = utcnow()
    record = Merge(source_id=source.id, target_id=target.id, actor_id=actor.id, created_at=now)
    db.session.add(record)
    db.session.flush()
    moved_votes, dropped_votes = _move_votes(record.id, source.id, target.id)
    moved_comments = _move_comments(record.id, source.id, target.id)
    source.merged_into_id = target.id
    source.hidden_at = now
    recompute_counts([source.id, target.id])
    _changed(source, target)
    audit.record(actor, AuditKind.MERGE, f"idea {source.id}",
                 f"Merged “{source.title}” into “{target.title}” (idea {target.id})",
                 {"merged_into": None},
                 {"merged_into": target.id, "votes_moved": moved_votes,
                  "votes_already_there": dropped_votes, "comments_moved": moved_comments})
    return record


def _move_votes(merge_id: int, source_id: int, target_id: int) -> tuple[int, int]:
    """Record the source's votes, move those whose member has none on the target, drop the
    rest; (moved, dropped)."""
    on_target = select(Vote.user_id).where(Vote.idea_id == target_id).scalar_subquery()
    voters = db.session.execute(
        select(Vote.user_id, Vote.created_at, Vote.user_id.in_(on_target))
        .where(Vote.idea_id == source_id)).all()
    if voters:
        db.session.execute(insert(MergedVote), [
            {"merge_id": merge_id, "user_id": user_id, "created_at": voted_at,
             "moved": not already}
            for user_id, voted_at, already in voters])
    db.session.execute(
        update(Vote).where(Vote.idea_id == source_id, Vote.user_id.not_in(on_target))
        .values(idea_id=target_id).execution_options(synchronize_session=False))
    db.session.execute(delete(Vote).where(Vote.idea_id == source_id)
                       .execution_options(synchronize_session=False))
    dropped = sum(1 for *_, already in voters if already)
    return len(voters) - dropped, dropped


def _move_comments(merge_id: int, source_id: int, target_id: int) -> int:
    comment_ids = list(db.session.scalars(
        select(Comment.id).where(Comment.idea_id == source_id)))
    if not comment_ids:
        return 0
    db.session.execute(insert(MergedComment),
                       [{"merge_id": merge_id, "comment_id": c} for c in comment_ids])
    # Where a comment first came from stays, should the target be merged on in turn.
    db.session.execute(
        update(Comment).where(Comment.id.in_(comment_ids), Comment.merged_from_id.is_(None))
        .values(merged_from_id=source_id).execution_options(synchronize_session=False))
    db.session.execute(
        update(Comment).where(Comment.id.in_(comment_ids)).values(idea_id=target_id)
        .execution_options(synchronize_session=False))
    return len(comment_ids)


def current_merge(source: Idea) -> Merge | None:
    """The merge that took `source` off the board, if it is merged."""
    if source.merged_into_id is None:
        return None
    return db.session.scalar(
        select(Merge).where(Merge.source_id == source.id, Merge.undone_at.is_(None))
        .order_by(Merge.id.desc()).limit(1))


def undo(source: Idea, actor: Account) -> Idea:
    """Put back what the merge of `source` moved, in the session's transaction; the target."""
    record = current_merge(source)
    if record is None:
        raise MergeRefused("This idea is not merged.")
    _lock(record.source_id, record.target_id)
    target = db.session.get(Idea, record.target_id)
    if target.merged_into_id is not None:
        raise MergeRefused(f"“{target.title}” is itself merged into idea "
                           f"{target.merged_into_id}: undo that merge first.")
    restored_votes = _restore_votes(record)
    restored_comments = _restore_comments(record)
    source.merged_into_id = None
    source.hidden_at = None
    record.undone_at = utcnow()
    recompute_counts([source.id, target.id])
    _changed(source, target)
    audit.record(actor, AuditKind.UNMERGE, f"idea {source.id}",
                 f"Undid the merge of “{source.title}” into “{target.title}” "
                 f"(idea {target.id})",
                 {"merged_into": target.id},
                 {"merged_into": None, "votes_restored": restored_votes,
                  "comments_restored": restored_comments})
    return target


def _restore_votes(record: Merge) -> int:
    """The source gets back every vote it had; the target loses the votes that moved, where
    they are still the moved ones (same member, same moment), and keeps everything else."""
    kept = db.session.execute(
        select(MergedVote.user_id, MergedVote.created_at, MergedVote.moved)
        .where(MergedVote.merge_id == record.id)).all()
    for user_id, voted_at, moved in kept:
        if moved:
            db.session.execute(
                delete(Vote).where(Vote.idea_id == record.target_id, Vote.user_id == user_id,
                                   Vote.created_at == voted_at)
                .execution_options(synchronize_session=False))
    db.session.execute(
        delete(Vote).where(Vote.idea_id == record.source_id)
        .execution_options(synchronize_session=False))
    if kept:
        db.session.execute(insert(Vote), [
            {"user_id": user_id, "idea_id": record.source_id, "created_at": voted_at}
            for user_id, voted_at, _moved in kept])
    return len(kept)


def _restore_comments(record: Merge) -> int:
    comment_ids = list(db.session.scalars(
        select(MergedComment.comment_id).where(MergedComment.merge_id == record.id)))
    if not comment_ids:
        return 0
    db.session.execute(
        update(Comment).where(Comment.id.in_(comment_ids),
                              Comment.merged_from_id == record.source_id)
        .values(merged_from_id=None).execution_options(synchronize_session=False))
    # Replies posted under them since the merge go back with them, threads staying whole.
    db.session.execute(
        update(Comment).where(or_(Comment.id.in_(comment_ids),
                                  Comment.parent_id.in_(comment_ids)))
        .values(idea_id=record.source_id).execution_options(synchronize_session=False))
    return len(comment_ids)


class MergedHere(NamedTuple):
    """An idea merged into the one whose page this is (plain columns: every uncached idea
    page asks)."""

    source_id: int
    title: str
    created_at: datetime


def merged_into(target_id: int) -> list[MergedHere]:
    """The ideas merged into this one (and still merged), oldest first (ix_merges_target)."""
    rows = db.session.execute(
        select(Merge.source_id, Idea.title, Merge.created_at)
        .join(Idea, Idea.id == Merge.source_id)
        .where(Merge.target_id == target_id, Merge.undone_at.is_(None),
               Idea.merged_into_id == target_id)
        .order_by(Merge.id))
    return [MergedHere(*row) for row in rows]


def _lock(*idea_ids: int) -> None:
    """On PostgreSQL, hold both ideas' rows until the transaction ends (SQLite writes one
    transaction at a time anyway), and read them afresh: two caretakers merging at once
    act one after the other, each on what the other left."""
    db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids)).order_by(Idea.id)
                       .with_for_update().execution_options(populate_existing=True)).all()


def _changed(*ideas: Idea) -> None:
    mark_board_changed()
    mark_votes_changed()
    for idea in ideas:
        db.session.expire(idea, ["vote_count", "comment_count", "trending_score"])
