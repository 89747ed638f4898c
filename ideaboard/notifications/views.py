"""What a member hears of the ideas they follow, and the one-click unsubscribe link in
every mail (services/notifications.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ideaboard.extensions import csrf, db
from ideaboard.models import User
from ideaboard.notifications.forms import NotificationSettingsForm
from ideaboard.services import notifications

bp = Blueprint("notifications", __name__)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    user = db.session.get(User, current_user.id)
    form = NotificationSettingsForm(obj=user)
    if form.validate_on_submit():
        form.populate_obj(user)
        db.session.commit()
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    return (render_template("notifications/settings.html", form=form, user=user),
            400 if form.errors else 200)


# The token in the link is what allows it: mail clients POST to it with no page, no
# session and no CSRF token (RFC 8058), so it is exempt from the CSRF check.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET asks (a link checker fetching it must change nothing); POST unsubscribes."""
    unsubscription = notifications.read_unsubscribe_token(token)
    if unsubscription is None:
        abort(404, "This unsubscribe link is not valid. You can change what you receive "
                   "in your account's notification settings.")
    done = unsubscription.already_done
    if request.method == "POST" and not done:
        unsubscription.apply()
        db.session.commit()
        done = True
    return render_template("notifications/unsubscribe.html", token=token, done=done,
                           what=unsubscription.description,
                           for_member=unsubscription.user is not None)
