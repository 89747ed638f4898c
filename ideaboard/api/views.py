"""The JSON API, version 1: the board's ideas, votes and comments for scripts and tools.
Every view calls the same services as the pages do; spec.py describes each one."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from ideaboard import ratelimits
from ideaboard.api import access
from ideaboard.api.bodies import REFUSED, read_body
from ideaboard.api.errors import ApiError, handle_api_error
from ideaboard.api.payloads import (
    after_values,
    category_json,
    comment_json,
    idea_cursor,
    idea_json,
    search_cursor,
    search_page,
)
from ideaboard.api.spec import MAX_LIMIT, SPEC
from ideaboard.caretaker.forms import StatusForm
from ideaboard.extensions import csrf, db
from ideaboard.forms import Form
from ideaboard.ideas.forms import EditIdeaForm, GuestCommentForm, IdeaForm, MemberCommentForm
from ideaboard.inputs import ID_MAX
from ideaboard.models import Category, Comment, Idea, Status
from ideaboard.pagecache import MARK, cached_page, marker
from ideaboard.search.views import QUERY_MAX
from ideaboard.services import comments, health_data, ideas, search, settings, votes
from ideaboard.services.categories import all_categories, by_slug
from ideaboard.services.ranking import Filters, Sort, ranked_page

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # access.identify_caller checks a browser session's writes itself
bp.before_request(access.identify_caller)
bp.app_errorhandler(ApiError)(handle_api_error)

class Match(enum.StrEnum):
    ALL = "all"
    ANY = "any"


LIST_PARAMETERS = ("sort", "status", "category", "q", "match", "limit", "cursor")
AUTHOR_FIELDS = frozenset({"title", "description", "category"})
CARETAKER_FIELDS = frozenset({"status", "response"})


@bp.get("/v1/openapi.json")
def openapi():
    return SPEC


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", spec=SPEC)


@dataclass(frozen=True)
class ListQuery:
    sort: Sort
    filters: Filters
    limit: int
    after: list | None
    q: str | None = None  # words to search for: then the most relevant come first
    every_word: bool = True  # of q (else any word)
    page: int = 1  # of the search results


def _list_query() -> ListQuery:
    """?sort, ?status, ?category, ?q, ?match, ?limit and ?cursor; 400 naming the parameter
    otherwise (and for one given twice)."""
    args = request.args
    for name in LIST_PARAMETERS:
        if len(args.getlist(name)) > 1:
            raise _bad_parameter(name, "Give it once.")
    sort = _choice("sort", args.get("sort", "top"), Sort)
    every_word = _choice("match", args.get("match", "all"), Match) is Match.ALL
    status = _choice("status", args["status"], Status) if args.get("status") else None
    category = None
    if args.get("category"):  # as on the board: an empty one is no filter
        category = by_slug(args["category"])
        if category is None:
            raise ApiError(404, "No category has this slug.")
    limit = args.get("limit", str(current_app.config["IDEAS_PER_PAGE"]))
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit[:4]) <= MAX_LIMIT):
        raise _bad_parameter("limit", f"This must be a whole number from 1 to {MAX_LIMIT}.")
    filters = Filters(category.id if category else None, status)
    if args.get("q"):
        if len(args["q"]) > QUERY_MAX:
            raise _bad_parameter("q", f"Please search with at most {QUERY_MAX} characters.")
        page = search_page(args["cursor"]) if args.get("cursor") else 1
        return ListQuery(sort, filters, int(limit), None, args["q"], every_word, page)
    after = after_values(args["cursor"], sort) if args.get("cursor") else None
    return ListQuery(sort, filters, int(limit), after)


def _choice(name: str, value: str, kind):
    if value not in set(kind):
        raise _bad_parameter(name, "This must be one of: " + ", ".join(kind) + ".")
    return kind(value)


def _bad_parameter(name: str, message: str) -> ApiError:
    return ApiError(400, f"The parameter “{name}” is not valid. {message}", {name: message})


@bp.get("/v1/ideas")
def list_ideas():
    # Cached as pages are (pagecache.py): one rendering for visitors and one for members,
    # whose votes and counts are markers filled in for each member.
    for_members = current_user.is_authenticated
    response = cached_page((request.full_path,),
                           lambda: _rendered_list(_list_query(), for_members),
                           mimetype="application/json")
    response.vary.add("Authorization")
    return response


def _rendered_list(query: ListQuery, for_members: bool) -> tuple[str, list[int]]:
    """The list as JSON, and the ideas on it; for members, each idea's `votes` and `voted`
    are markers, filled in per member."""
    listed, next_cursor = _listed(query)
    shown = [idea_json(idea) for idea in listed]
    if for_members:
        for payload, idea in zip(shown, listed, strict=True):
            if not idea.awaiting_consent:
                payload["votes"] = marker("C", f"{idea.id}:{idea.vote_count}")
            payload["voted"] = marker("P", idea.id)
    body = current_app.json.dumps({"ideas": shown, "next_cursor": next_cursor},
                                  separators=(",", ":"), ensure_ascii=False)
    # A marker is a JSON string here; filled in, it is a number or true/false. The marker
    # character never comes from stored text (inputs.py refuses it).
    return body.replace(f'"{MARK}', MARK).replace(f'{MARK}"', MARK), [i.id for i in listed]


def _listed(query: ListQuery) -> tuple[list[Idea], str | None]:
    """The ideas of one page of the list (or of a search), and the next page's cursor."""
    if query.q is not None:
        found = search.search(query.q, query.filters, query.page, query.limit,
                              with_authors=True, every_word=query.every_word)
        listed = [hit.idea for hit in found.hits]
        next_cursor = search_cursor(found.page + 1) if found.has_more else None
    else:
        page = ranked_page(query.sort, query.filters, query.limit, with_authors=True,
                           after_values=query.after)
        listed = page.ideas
        next_cursor = idea_cursor(listed[-1], query.sort) if page.next_after else None
    return listed, next_cursor


def _json_response(payload: dict, status: int = 200) -> Response:
    response = current_app.json.response(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Authorization"))
    return response


def _visible_idea(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id, options=[joinedload(Idea.author),
                                                  joinedload(Idea.category)])
    if idea is None or not ideas.can_view(current_user, idea):
        raise ApiError(404, "No idea has this id, or it is not on the board.")
    return idea


def _idea_response(idea: Idea, status: int = 200) -> Response:
    if not current_user.is_authenticated:
        return _json_response(idea_json(idea), status)
    view = votes.member_view(current_user.id, [idea.id])
    return _json_response(idea_json(idea, voted=idea.id in view.voted), status)


@bp.get("/v1/ideas/<int:idea_id>")
def get_idea(idea_id: int):
    return _idea_response(_visible_idea(idea_id))


@bp.post("/v1/ideas")
@access.member_required
@ratelimits.new_idea
def post_idea():
    access.require_poster()
    body = read_body("NewIdea")
    category_id = _category_id(body["category"])
    form = _validated(IdeaForm, title=body["title"], description=body["description"],
                      category=category_id, **_confirmed(body))
    idea = ideas.create_idea(current_user, form.title.data, form.description.data,
                             form.category.data)
    health_data.flag_confirmed(form.health_findings, idea=idea)
    db.session.commit()
    response = _idea_response(idea, 201)
    response.headers["Location"] = url_for("api.get_idea", idea_id=idea.id, _external=True)
    return response


def _category_id(value: str | int | float) -> int:
    if isinstance(value, float) and value.is_integer():  # 3.0 is an integer in JSON Schema
        value = int(value)
    if isinstance(value, int):
        category = db.session.get(Category, value) if 0 < value <= ID_MAX else None
    else:
        category = by_slug(value)
    if category is None:
        raise ApiError(422, REFUSED, {"category": "No category has this slug or id."})
    return category.id


def _confirmed(body: dict) -> dict[str, str]:
    """`publish_anyway: true` ticks the form's box of the same name (health_data.py)."""
    return {"publish_anyway": "y"} if body.get("publish_anyway") is True else {}


def _validated(form_class: type[Form], **values) -> Form:
    """The form filled from `values` as if posted, validated by the rules the page's form
    has; 422 with each field's first error otherwise."""
    form = form_class(formdata=MultiDict({name: str(value) for name, value in values.items()}),
                      meta={"csrf": False})
    if hasattr(form, "category"):
        form.category.choices = [SelectChoice(c.id, c.name) for c in all_categories()]
    if not form.validate():
        raise ApiError(422, REFUSED, {name: errors[0] for name, errors in form.errors.items()})
    return form


@bp.patch("/v1/ideas/<int:idea_id>")
@access.member_required
def change_idea(idea_id: int):
    idea = _visible_idea(idea_id)
    body = read_body("IdeaChanges")
    if body.keys() & AUTHOR_FIELDS and not ideas.can_edit(current_user, idea):
        raise ApiError(403, "Only the idea's author changes its title, description and "
                            "category, and only while it is on the board.")
    if body.keys() & CARETAKER_FIELDS and not current_user.is_caretaker:
        raise ApiError(403, "Only the caretaker sets an idea's status and response.")
    edit = status = None
    if body.keys() & AUTHOR_FIELDS:  # everything is checked before anything changes
        edit = _validated(
            EditIdeaForm, title=body.get("title", idea.title),
            description=body.get("description", idea.description),
            category=_category_id(body["category"]) if "category" in body else idea.category_id,
            **_confirmed(body))
    if body.keys() & CARETAKER_FIELDS:
        status = _validated(StatusForm, status=body.get("status", idea.status.value),
                            response=body.get("response", ""))
    if edit is not None:
        ideas.edit_idea(idea, edit.title.data, edit.description.data, edit.category.data)
        health_data.flag_confirmed(edit.health_findings, idea=idea)
    if status is not None:
        ideas.respond(idea, Status(status.status.data),
                      status.response.data if "response" in body else None, current_user)
    db.session.commit()
    db.session.expire(idea)  # its category may have changed with category_id
    return _idea_response(idea)


@bp.put("/v1/ideas/<int:idea_id>/vote")
@access.member_required
@ratelimits.vote
def vote(idea_id: int):
    return _set_vote(idea_id, voted=True)


@bp.delete("/v1/ideas/<int:idea_id>/vote")
@access.member_required
@ratelimits.vote
def unvote(idea_id: int):
    return _set_vote(idea_id, voted=False)


def _set_vote(idea_id: int, voted: bool) -> Response:
    try:
        state = votes.set_vote(current_user.id, idea_id, voted)
    except votes.NotOnTheBoard:
        raise ApiError(404, "No idea on the board has this id.") from None
    return _json_response({"votes": state.vote_count, "voted": state.voted})


@bp.get("/v1/ideas/<int:idea_id>/comments")
def list_comments(idea_id: int):
    idea = _visible_idea(idea_id)
    cursor = request.args.get("cursor") or None
    if cursor is not None and not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 10
                                   and int(cursor) <= ID_MAX):
        raise _bad_parameter("cursor", "This cursor is not one this list gave out.")
    thread = comments.visible_page(idea.id, after=int(cursor) if cursor else None)
    return _json_response({
        "comments": [comment_json(comment) for comment in thread.items],
        "next_cursor": str(thread.next_after) if thread.next_after else None,
    })


@bp.post("/v1/ideas/<int:idea_id>/comments")
@ratelimits.visitor_comment
@ratelimits.member_comment
def post_comment(idea_id: int):
    if current_user.is_authenticated:
        access.require_member()
        access.require_poster()
    idea = _visible_idea(idea_id)
    body = read_body("NewComment")
    if current_user.is_authenticated:
        if body.keys() & {"name", "email"}:
            raise ApiError(422, REFUSED, dict.fromkeys(
                body.keys() & {"name", "email"}, "Members comment under their own name: "
                                                 "leave this out."))
        form = _validated(MemberCommentForm, body=body["body"], **_confirmed(body))
        parent = _reply_target(idea, body.get("parent_id"))
        comment = comments.add_member_comment(idea, current_user, form.body.data, parent)
    else:
        mode = settings.current().visitor_comments
        if mode is settings.VisitorComments.OFF:
            access.require_member("Only members can comment on this board: send a member's "
                                  "API token.")
        form = _validated(GuestCommentForm, name=body.get("name", ""),
                          email=body.get("email", ""), body=body["body"], **_confirmed(body))
        parent = _reply_target(idea, body.get("parent_id"))
        comment = comments.add_guest_comment(
            idea, form.name.data, form.email.data, form.body.data,
            held=mode is settings.VisitorComments.MODERATED, parent=parent)
    health_data.flag_confirmed(form.health_findings, comment=comment)
    db.session.commit()
    return _json_response(comment_json(comment, held=comment.held_at is not None), 201)


def _reply_target(idea: Idea, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    try:
        return comments.reply_target(idea.id, parent_id)
    except comments.NotAllowed as refusal:
        raise ApiError(422, REFUSED, {"parent_id": str(refusal)}) from None


@bp.get("/v1/categories")
def list_categories():
    return _json_response({"categories": [category_json(c) for c in all_categories()]})


@bp.get("/v1/me")
def me():
    if not current_user.is_authenticated:
        raise ApiError(401, "Send a member's API token.",
                       headers={"WWW-Authenticate": access.CHALLENGE})
    return _json_response({"id": current_user.id, "name": current_user.display_name,
                           "role": current_user.role.value,
                           "suspended": current_user.is_suspended})
