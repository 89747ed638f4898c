"""Atom feeds (RFC 4287): new ideas, decisions, one idea's comments. Cached like pages, so
they answer conditional GETs (ETag) and go stale with what they show."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from ideaboard.board.views import parse_decision_filters
from ideaboard.models import Category
from ideaboard.pagecache import cached_page
from ideaboard.services import decisions, feeds
from ideaboard.services.categories import by_slug

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml"
NO_ENTRIES = "2025-01-01T00:00:00+00:00"  # an empty feed's <updated>: before any entry


def _render(template: str, **context) -> tuple[str, list[int]]:
    """A feed, its own address built from what it shows (not from the URL asked, whose
    extra arguments would otherwise be cached for everyone)."""
    self_url = url_for(request.endpoint, **request.view_args, _external=True,
                       **context.pop("self_args", {}))
    return render_template(template, self_url=self_url, no_entries=NO_ENTRIES, **context), []


@bp.get("/feeds/ideas.atom")
def ideas():
    """The newest public ideas, of one category with `?category=<slug>`."""
    category = _category()
    return cached_page((category.id if category else None,), lambda: _render(
        "feeds/ideas.atom.xml", ideas=feeds.new_ideas(category), category=category,
        self_args={"category": category.slug} if category else {}), mimetype=ATOM)


def _category() -> Category | None:
    slug = request.args.get("category")
    if not slug:
        return None
    category = by_slug(slug)
    if category is None:
        abort(404)
    return category


@bp.get("/feeds/updates.atom")
def updates():
    """The decisions page as a feed: status changes, official responses and review
    summaries, newest first; `?status=` and `?category=` filter it as they filter the page."""
    filters = parse_decision_filters()
    self_args = {"status": filters.status.value if filters.status else None,
                 "category": filters.category.slug if filters.category else None}
    return cached_page(tuple(self_args.values()), lambda: _render(
        "feeds/updates.atom.xml", entries=decisions.page(filters, feeds.FEED_SIZE).entries,
        filters=filters, self_args=self_args), mimetype=ATOM)


@bp.get("/ideas/<int:idea_id>/comments.atom")
def comments(idea_id: int):
    """One public idea's newest public comments (404 for an idea not everyone may read)."""
    return cached_page((idea_id,), lambda: _render_comments(idea_id), mimetype=ATOM,
                       shows_threads=True)


def _render_comments(idea_id: int) -> tuple[str, list[int]]:
    idea = feeds.public_idea(idea_id)
    if idea is None:
        abort(404)
    return _render("feeds/comments.atom.xml", idea=idea,
                   comments=feeds.latest_comments(idea_id))
