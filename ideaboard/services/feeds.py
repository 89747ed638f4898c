"""What the Atom feeds carry: public content only, newest first, whoever asks (a feed is
read by machines that share what they fetch, so the caretaker's feed is everyone's)."""

from __future__ import annotations

from ideaboard.extensions import db
from ideaboard.models import Category, Comment, Idea
from ideaboard.services import comments
from ideaboard.services.ranking import Filters, Sort, ranked_page

FEED_SIZE = 20  # entries in a feed


def new_ideas(category: Category | None = None) -> list[Idea]:
    """The newest public ideas (of a category), with their authors and categories."""
    filters = Filters(category_id=category.id if category else None)
    return ranked_page(Sort.NEW, filters, FEED_SIZE, with_authors=True).ideas


def public_idea(idea_id: int) -> Idea | None:
    """The idea if everyone may read it (not hidden, withdrawn or merged)."""
    idea = db.session.get(Idea, idea_id)
    return idea if idea is not None and idea.is_public else None


def latest_comments(idea_id: int) -> list[comments.ThreadComment]:
    """The idea's newest public comments (ix_comments_thread, read backwards)."""
    query = comments.visible_query(idea_id).order_by(None).order_by(
        Comment.created_at.desc(), Comment.id.desc()).limit(FEED_SIZE)
    return [comments.ThreadComment(*row) for row in db.session.execute(query)]
