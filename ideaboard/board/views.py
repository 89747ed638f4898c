"""The board: ideas ranked, filtered and paged."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from ideaboard.models import Category, Status
from ideaboard.services import votes
from ideaboard.services.categories import all_categories
from ideaboard.services.ranking import Filters, Page, Sort, ranked_page

bp = Blueprint("board", __name__)


@dataclass
class BoardQuery:
    sort: Sort
    filters: Filters
    after: int | None
    category: Category | None


def parse_board_query(include_hidden: bool = False) -> BoardQuery:
    """Read ?sort, ?category, ?status and ?after; 400 on a value that names nothing."""
    args = request.args
    if args.get("sort", "top") not in set(Sort):
        abort(400, "Unknown order.")
    category = None
    if args.get("category"):
        category = next((c for c in all_categories() if c.slug == args["category"]), None)
        if category is None:
            abort(404)
    status = args.get("status") or None
    if status is not None and status not in set(Status):
        abort(400)
    after = args.get("after")
    if after is not None and not after.isdigit():
        abort(400)
    filters = Filters(
        category_id=category.id if category else None,
        status=Status(status) if status else None,
        include_hidden=include_hidden,
    )
    return BoardQuery(Sort.parse(args.get("sort")), filters,
                      int(after) if after else None, category)


def load_page(query: BoardQuery) -> tuple[Page, set[int]]:
    """The page of ideas and which of them the current member has voted for."""
    page = ranked_page(query.sort, query.filters, current_app.config["IDEAS_PER_PAGE"],
                       query.after)
    voted: set[int] = set()
    if current_user.is_authenticated:
        voted = votes.voted_idea_ids(current_user.id, [idea.id for idea in page.ideas])
    return page, voted


@bp.get("/")
def index():
    query = parse_board_query()
    page, voted = load_page(query)
    return render_template(
        "board/index.html",
        page=page,
        voted=voted,
        query=query,
        sorts=list(Sort),
        categories=all_categories(),
    )


FEED_SIZE = 20


@bp.get("/feed.atom")
def feed():
    """The newest public ideas as an Atom feed."""
    newest = ranked_page(Sort.NEW, Filters(), FEED_SIZE).ideas
    body = render_template("board/feed.atom.xml", ideas=newest)
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}
