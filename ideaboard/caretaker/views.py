"""The caretaker's desk: the ranked table, statuses and official responses, moderation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template
from flask_login import current_user, login_required

from ideaboard.board.views import load_page, parse_board_query
from ideaboard.caretaker.forms import StatusForm
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm
from ideaboard.ideas.views import render_idea_page
from ideaboard.models import Comment, Idea, Status
from ideaboard.services import comments, ideas
from ideaboard.services.categories import all_categories
from ideaboard.services.ranking import Sort, hidden_ideas, recent_vote_counts
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


@bp.get("")
def dashboard():
    query = parse_board_query()
    page = load_page(query)
    return render_template(
        "caretaker/dashboard.html",
        page=page,
        query=query,
        sorts=list(Sort),
        categories=all_categories(),
        recent_votes=recent_vote_counts([idea.id for idea in page.ideas]),
        hidden=hidden_ideas(),
        button_form=ButtonForm(),
    )


@bp.post("/ideas/<int:idea_id>/status")
def update_status(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = StatusForm()
    if form.validate_on_submit():
        ideas.respond(idea, Status(form.status.data), form.response.data or "")
        db.session.commit()
        flash(f"Status set to “{idea.status.label}”.", "success")
        return redirect(idea_url(idea))
    return render_idea_page(idea, status_form=form, code=400)


@bp.post("/ideas/<int:idea_id>/hide")
def hide_idea(idea_id: int):
    return _set_idea_hidden(idea_id, True)


@bp.post("/ideas/<int:idea_id>/restore")
def restore_idea(idea_id: int):
    return _set_idea_hidden(idea_id, False)


def _set_idea_hidden(idea_id: int, hidden: bool):
    _require_button_form()
    idea = db.get_or_404(Idea, idea_id)
    ideas.set_idea_hidden(idea, hidden)
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
    comments.set_comment_hidden(comment, hidden)
    db.session.commit()
    flash("The comment is hidden." if hidden else "The comment is restored.", "info")
    idea = db.session.get(Idea, comment.idea_id)
    return redirect(idea_url(idea, _anchor=f"comment-{comment.id}"))
