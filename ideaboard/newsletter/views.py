"""/newsletter: visitors ask for the weekly digest by email and confirm from the mail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ideaboard import ratelimits
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm
from ideaboard.newsletter.forms import SubscribeForm
from ideaboard.services import newsletter

bp = Blueprint("newsletter", __name__)

SENT = ("Almost done: if {email} is not subscribed yet, a mail with a link to confirm is on "
        "its way. The digest starts once you follow it.")


@bp.route("/newsletter", methods=["GET", "POST"])
@ratelimits.newsletter
def subscribe():
    if current_user.is_authenticated:  # members choose the digest in their settings
        return redirect(url_for("notifications.settings"))
    form = SubscribeForm()
    if form.validate_on_submit():
        if not form.website.data:
            newsletter.subscribe(form.email.data)
            db.session.commit()
            flash(SENT.format(email=form.email.data), "success")
            return redirect(url_for("newsletter.subscribe"))
        form.form_errors.append("Your request could not be accepted. "
                                "Please leave the last field empty.")
    return render_template("newsletter/subscribe.html", form=form), 400 if form.errors else 200


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET asks (a link checker that opens it subscribes nobody); POST confirms."""
    subscriber = newsletter.subscriber_for(token)
    if subscriber is None:
        abort(404)
    form = ButtonForm()
    if form.validate_on_submit():
        newsletter.confirm(subscriber)
        db.session.commit()
        return render_template("newsletter/confirmed.html")
    return render_template("newsletter/confirm.html", email=subscriber.email,
                           receiving=subscriber.receiving)
