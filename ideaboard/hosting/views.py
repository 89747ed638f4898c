"""/hosting: "I'd like to host" for members, and the nominee's answer to a nomination (a
signed link from their one mail, no account needed)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ideaboard.auth.access import active_member_required
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm, require_button_form
from ideaboard.hosting.forms import HostOfferForm
from ideaboard.models import Consent
from ideaboard.services import nominations

bp = Blueprint("hosting", __name__, url_prefix="/hosting")


@bp.get("")
def offer():
    """What hosting is; a member's offer, to make, change or withdraw."""
    current = nominations.offer_of(current_user) if current_user.is_authenticated else None
    form = HostOfferForm(formdata=None, topics=current.topics if current else None)
    return render_template("hosting/offer.html", form=form, current=current)


@bp.post("")
@active_member_required
def make_offer():
    form = HostOfferForm()
    if not form.validate_on_submit():
        return render_template("hosting/offer.html", form=form,
                               current=nominations.offer_of(current_user)), 400
    nominations.offer_to_host(current_user, form.topics.data)
    db.session.commit()
    flash("Thank you! The caretaker sees your offer when planning the next chats.", "success")
    return redirect(url_for("hosting.offer"))


@bp.post("/withdraw")
@active_member_required
def withdraw():
    require_button_form()
    nominations.withdraw_offer(current_user)
    db.session.commit()
    flash("Your offer to host is withdrawn.", "info")
    return redirect(url_for("hosting.offer"))


@bp.route("/nominations/<token>/<answer>", methods=["GET", "POST"])
def answer(token: str, answer: str):
    """GET asks (a link checker that opens the mail answers nothing); POST answers."""
    nomination = nominations.for_token(token)
    if nomination is None or answer not in (nominations.ACCEPT, nominations.DECLINE):
        abort(404)
    accept = answer == nominations.ACCEPT
    if nomination.consent is Consent.AWAITING and ButtonForm().validate_on_submit():
        nominations.answer(nomination, accept)
        db.session.commit()
    return render_template("hosting/answer.html", nomination=nomination, accept=accept)
