"""Search: the ideas matching a few words, ranked by relevance, with the list's filters."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from ideaboard.board.views import parse_filters
from ideaboard.inputs import int_arg
from ideaboard.pagecache import cached_page
from ideaboard.services import search
from ideaboard.services.categories import all_categories

bp = Blueprint("search", __name__)

QUERY_MAX = 200  # characters of the query that count


@bp.get("/search")
def results():
    return cached_page((request.full_path,), _render_results)


def _render_results() -> tuple[str, list[int]]:
    query = request.args.get("q", "")[:QUERY_MAX]
    category, filters = parse_filters()
    page_number = int_arg("page") or 1
    if page_number > search.MAX_PAGE:
        abort(404)
    page = search.search(query, filters, page_number) if query else None
    html = render_template("search/results.html", q=query, page=page, category=category,
                           filters=filters, words=search.terms(query),
                           categories=all_categories(), per_page=search.PER_PAGE,
                           max_page=search.MAX_PAGE)
    return html, [hit.idea.id for hit in page.hits] if page else []
