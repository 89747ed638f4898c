"""Members' public profiles (their ideas and comments), and a member's own lists: the ideas
they posted and the ideas they voted for. Every list is newest first, a keyset page at a
time, on its own index (ix_ideas_author, ix_comments_author, ix_votes_user_created)."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, load_only

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, User, Vote
from ideaboard.services import paging
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import public_filter

PER_PAGE = 20
# What a list row shows of an idea: not its description (in full, and as HTML), which
# would double what each row loads.
_ROW = (joinedload(Idea.category),
        load_only(Idea.id, Idea.title, Idea.excerpt, Idea.author_id, Idea.category_id,
                  Idea.status, Idea.vote_count, Idea.comment_count, Idea.created_at,
                  Idea.hidden_at, Idea.withdrawn_at, Idea.merged_into_id,
                  Idea.awaiting_consent))


def update_profile(user: User, display_name: str, handle: str | None, bio: str | None) -> None:
    """The member's name, handle (without its "@") and bio, as they typed them; every
    cached page showing their name is stale at once."""
    user.display_name = display_name
    user.handle = (handle or "").removeprefix("@") or None
    user.bio = bio or None
    mark_board_changed()


def public_ideas(author_id: int, after: int | None = None) -> paging.After[Idea]:
    """The member's ideas on the board, newest first."""
    query = select(Idea).options(*_ROW).where(Idea.author_id == author_id, public_filter())
    return _newest_ideas(query, author_id, after)


def own_ideas(author_id: int, after: int | None = None) -> paging.After[Idea]:
    """Every idea the member posted, withdrawn, hidden and merged ones too ("My ideas")."""
    query = select(Idea).options(*_ROW).where(Idea.author_id == author_id)
    return _newest_ideas(query, author_id, after)


def _newest_ideas(query, author_id: int, after: int | None) -> paging.After[Idea]:
    anchor = None
    if after is not None:
        found = db.session.get(Idea, after)
        anchor = (found.created_at, found.id) if found and found.author_id == author_id else None
    return paging.ordered_after(query, (Idea.created_at, Idea.id), anchor, PER_PAGE,
                                descending=True)


def public_comments(author_id: int, after: int | None = None
                    ) -> tuple[paging.After[Comment], dict[int, Idea]]:
    """The member's comments on show, on ideas on the board, newest first; and those ideas
    by id (one more query)."""
    anchor = None
    if after is not None:
        found = db.session.get(Comment, after)
        anchor = ((found.created_at, found.id) if found and found.author_id == author_id
                  else None)
    query = (select(Comment).join(Idea, Idea.id == Comment.idea_id)
             .where(Comment.author_id == author_id, Comment.hidden_at.is_(None),
                    public_filter()))
    page = paging.ordered_after(query, (Comment.created_at, Comment.id), anchor, PER_PAGE,
                                descending=True)
    ideas = {idea.id: idea for idea in db.session.scalars(
        select(Idea).where(Idea.id.in_({c.idea_id for c in page.items})))}
    return page, ideas


def voted_ideas(user_id: int, after: int | None = None) -> paging.After[Idea]:
    """The ideas on the board the member votes for, the latest vote first ("My votes");
    `after` is an idea id."""
    anchor = None
    if after is not None:
        vote = db.session.get(Vote, (user_id, after))
        anchor = (vote.created_at, vote.idea_id) if vote else None
    query = (select(Idea).options(*_ROW)
             .join(Vote, and_(Vote.idea_id == Idea.id, Vote.user_id == user_id))
             .where(public_filter()))
    return paging.ordered_after(query, (Vote.created_at, Vote.idea_id), anchor, PER_PAGE,
                                descending=True)
