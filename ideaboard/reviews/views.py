"""Reviews (/caretaker/reviews): start one, read it against the one before, and write the
summary the community reads on /decisions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ideaboard.caretaker.views import only_the_caretaker
from ideaboard.extensions import db
from ideaboard.forms import require_button_form
from ideaboard.models import Review
from ideaboard.reviews.forms import SummaryForm
from ideaboard.services import reviews

bp = Blueprint("reviews", __name__, url_prefix="/caretaker/reviews")
bp.before_request(only_the_caretaker)


@bp.get("")
def index():
    return render_template("reviews/index.html", reviews=reviews.recent_reviews(),
                           top=reviews.TOP)


@bp.post("")
def start():
    require_button_form()
    review = reviews.start_review(current_user)
    db.session.commit()
    flash(f"Review started: the top {reviews.TOP} as they stand now.", "success")
    return redirect(url_for("reviews.show", review_id=review.id))


@bp.get("/<int:review_id>")
def show(review_id: int):
    review = db.get_or_404(Review, review_id)
    return _render_report(review, SummaryForm(formdata=None, summary=review.summary))


@bp.post("/<int:review_id>/summary")
def summary(review_id: int):
    review = db.get_or_404(Review, review_id)
    form = SummaryForm()
    if not form.validate_on_submit():
        return _render_report(review, form), 400
    reviews.publish_summary(review, form.summary.data or "")
    db.session.commit()
    flash("Summary saved: it is on the decisions page." if review.summary
          else "Summary removed from the decisions page.", "success")
    return redirect(url_for("reviews.show", review_id=review.id))


def _render_report(review: Review, form: SummaryForm) -> str:
    return render_template("reviews/show.html", report=reviews.report(review), form=form,
                           weeks=reviews.WEEKS)
