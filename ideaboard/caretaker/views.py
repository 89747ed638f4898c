"""The caretaker's desk: the ranked table, statuses and official responses, moderation."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ideaboard.board.views import load_page, parse_board_query
from ideaboard.caretaker.forms import BulkStatusForm, StatusForm
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm
from ideaboard.ideas.views import render_idea_page
from ideaboard.inputs import int_arg
from ideaboard.models import AuditKind, Comment, Idea, Status
from ideaboard.services import audit, comments, ideas
from ideaboard.services.categories import all_categories
from ideaboard.services.ranking import (
    Sort,
    hidden_ideas,
    needs_response_page,
    recent_vote_counts,
)
from ideaboard.templating import idea_url

bp = Blueprint("caretaker", __name__, url_prefix="/caretaker")


@bp.before_request
@login_required
def only_the_caretaker():
    if not current_user.is_caretaker:
        abort(403)


def _require_button_form() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


NEEDS_RESPONSE = "needs-response"


@bp.get("")
def dashboard():
    return _render_dashboard(BulkStatusForm(formdata=None))


def _render_dashboard(bulk_form: BulkStatusForm, code: int = 200):
    """The ranked table (or the ideas waiting for a response), with the bulk status form."""
    query = parse_board_query()
    view = request.args.get("view") or None
    if view not in (None, NEEDS_RESPONSE):
        abort(400, "Unknown view.")
    if view == NEEDS_RESPONSE:
        page = needs_response_page(query.filters, current_app.config["IDEAS_PER_PAGE"],
                                   query.after)
    else:
        page = load_page(query)
    html = render_template(
        "caretaker/dashboard.html",
        page=page,
        query=query,
        view=view,
        sorts=list(Sort),
        categories=all_categories(),
        recent_votes=recent_vote_counts([idea.id for idea in page.ideas]),
        hidden=hidden_ideas(),
        bulk_form=bulk_form,
        back=_dashboard_args(),
    )
    return html, code


@bp.post("/ideas/status")
def bulk_status():
    """The status (and response) for every idea ticked in the table, all or none."""
    form = BulkStatusForm()
    if not form.validate_on_submit():
        return _render_dashboard(form, code=400)
    status = Status(form.status.data)
    changed = ideas.respond_to_many(form.ideas.data, status, form.response.data or None,
                                    current_user)
    db.session.commit()
    flash(f"{changed} idea{'' if changed == 1 else 's'} set to “{status.label}”.", "success")
    return redirect(url_for("caretaker.dashboard", **_dashboard_args()))


def _dashboard_args() -> dict[str, str]:
    """The table's view, order, filters and page, to come back to after an action."""
    names = ("view", "sort", "category", "status", "after")
    return {name: request.args[name] for name in names if request.args.get(name)}


@bp.post("/ideas/<int:idea_id>/status")
def update_status(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = StatusForm()
    if form.validate_on_submit():
        ideas.respond(idea, Status(form.status.data), form.response.data or "", current_user)
        db.session.commit()
        flash(f"Status set to “{idea.status.label}”.", "success")
        return redirect(idea_url(idea))
    return render_idea_page(idea, status_form=form, code=400)


@bp.get("/log")
def log():
    """Every caretaker action, newest first, by kind; read-only."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in set(AuditKind):
        abort(400, "Unknown kind of action.")
    kind = AuditKind(kind) if kind else None
    page = audit.log_page(kind, int_arg("before"))
    return render_template("caretaker/log.html", page=page, kind=kind, kinds=list(AuditKind))


@bp.post("/ideas/<int:idea_id>/hide")
def hide_idea(idea_id: int):
    return _set_idea_hidden(idea_id, True)


@bp.post("/ideas/<int:idea_id>/restore")
def restore_idea(idea_id: int):
    return _set_idea_hidden(idea_id, False)


def _set_idea_hidden(idea_id: int, hidden: bool):
    _require_button_form()
    idea = db.get_or_404(Idea, idea_id)
    ideas.set_idea_hidden(idea, hidden, current_user)
    db.session.commit()
    flash("The idea is hidden from the board." if hidden else "The idea is back on the board.",
          "info")
    return redirect(idea_url(idea))


@bp.post("/comments/<int:comment_id>/hide")
def hide_comment(comment_id: int):
    return _set_comment_hidden(comment_id, True)


@bp.post("/comments/<int:comment_id>/restore")
def restore_comment(comment_id: int):
    return _set_comment_hidden(comment_id, False)


def _set_comment_hidden(comment_id: int, hidden: bool):
    _require_button_form()
    comment = db.get_or_404(Comment, comment_id)
    comments.set_comment_hidden(comment, hidden, current_user)
    db.session.commit()
    flash("The comment is hidden." if hidden else "The comment is restored.", "info")
    idea = db.session.get(Idea, comment.idea_id)
    return redirect(idea_url(idea, _anchor=f"comment-{comment.id}"))
