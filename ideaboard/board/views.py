"""The board: ideas ranked, filtered and paged."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from ideaboard.inputs import int_arg
from ideaboard.models import Category, Status
from ideaboard.pagecache import cached_page
from ideaboard.services import decisions as decisions_service
from ideaboard.services import roadmap as roadmap_service
from ideaboard.services.categories import all_categories, by_slug
from ideaboard.services.ranking import Filters, Page, Sort, ranked_page

bp = Blueprint("board", __name__)


@dataclass
class BoardQuery:
    sort: Sort
    filters: Filters
    after: int | None
    category: Category | None


def parse_board_query() -> BoardQuery:
    """Read ?sort, ?category, ?status and ?after; 400 on a value that names nothing."""
    if request.args.get("sort", "top") not in set(Sort):
        abort(400, "Unknown order.")
    category, filters = parse_filters()
    return BoardQuery(Sort.parse(request.args.get("sort")), filters, int_arg("after"), category)


def parse_filters() -> tuple[Category | None, Filters]:
    """?category (404 if no category has that slug) and ?status (400 if not a status)."""
    args = request.args
    category = None
    if args.get("category"):
        category = by_slug(args["category"])
        if category is None:
            abort(404)
    status = args.get("status") or None
    if status is not None and status not in set(Status):
        abort(400)
    return category, Filters(category_id=category.id if category else None,
                             status=Status(status) if status else None)


def load_page(query: BoardQuery) -> Page:
    return ranked_page(query.sort, query.filters, current_app.config["IDEAS_PER_PAGE"],
                       query.after)


def _render_board() -> tuple[str, list[int]]:
    query = parse_board_query()
    page = load_page(query)
    html = render_template("board/index.html", page=page, query=query, sorts=list(Sort),
                           categories=all_categories())
    return html, [idea.id for idea in page.ideas]


@bp.get("/")
def index():
    return cached_page((request.full_path,), _render_board)


@bp.get("/roadmap")
def roadmap():
    """Planned, in progress and recently done: the same for everyone, so cached as the
    board is."""
    return cached_page(("roadmap",), _render_roadmap)


def _render_roadmap() -> tuple[str, list[int]]:
    html = render_template("board/roadmap.html", columns=roadmap_service.columns(),
                           done_days=roadmap_service.DONE_WITHIN.days)
    return html, []


@bp.get("/decisions")
def decisions():
    """What was decided and why, newest first, filtered by status or category."""
    return cached_page((request.full_path,), _render_decisions)


def parse_decision_filters() -> decisions_service.Filters:
    category, filters = parse_filters()
    return decisions_service.Filters(status=filters.status, category=category)


def _render_decisions() -> tuple[str, list[int]]:
    filters = parse_decision_filters()
    page = decisions_service.page(filters, current_app.config["IDEAS_PER_PAGE"],
                                  int_arg("before"))
    html = render_template("board/decisions.html", page=page, filters=filters,
                           categories=all_categories(), statuses=list(Status))
    return html, []


@bp.get("/feed.atom")
def feed():
    """The first feed's address, kept for the readers that follow it."""
    return redirect(url_for("feeds.ideas"), code=301)
