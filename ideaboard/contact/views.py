"""“Contact the caretaker”: a private note from anyone, linked from every page's footer."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ideaboard import ratelimits
from ideaboard.auth.access import refuse_if_suspended
from ideaboard.contact.forms import MemberMessageForm, VisitorMessageForm
from ideaboard.extensions import db
from ideaboard.services import inbox

bp = Blueprint("contact", __name__)


@bp.route("/contact", methods=["GET", "POST"])
@ratelimits.contact
def contact():
    refuse_if_suspended()
    form = MemberMessageForm() if current_user.is_authenticated else VisitorMessageForm()
    if form.validate_on_submit():
        if isinstance(form, VisitorMessageForm) and form.looks_automated:
            form.form_errors.append("Your message could not be sent. "
                                    "Please leave the last field empty.")
        else:
            visitor = isinstance(form, VisitorMessageForm)
            inbox.send(current_user, form.name.data if visitor else None,
                       form.email.data if visitor else None, form.body.data)
            db.session.commit()
            flash("Thank you: your message is with the caretaker, and only the caretaker.",
                  "success")
            return redirect(url_for("board.index"))
    code = 400 if form.errors or form.form_errors else 200
    return render_template("contact/contact.html", form=form), code
