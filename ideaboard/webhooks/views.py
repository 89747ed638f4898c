"""/caretaker/webhooks: add, test and remove the board's outgoing webhooks, and see how
their last deliveries went."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ideaboard.caretaker.views import only_the_caretaker
from ideaboard.extensions import db
from ideaboard.forms import require_button_form
from ideaboard.models import Webhook, WebhookFormat
from ideaboard.services import webhooks
from ideaboard.webhooks.forms import WebhookForm

bp = Blueprint("webhooks", __name__, url_prefix="/caretaker/webhooks")
bp.before_request(only_the_caretaker)


@bp.get("")
def index():
    return _render(WebhookForm(formdata=None))


@bp.post("")
def add():
    form = WebhookForm()
    if not form.validate_on_submit():
        return _render(form), 400
    try:
        webhooks.create(current_user, form.url.data, form.events.data,
                        WebhookFormat(form.format.data), form.secret.data or None)
    except webhooks.TooMany as refused:
        form.form_errors.append(str(refused))
        return _render(form), 400
    db.session.commit()
    flash("Webhook added. “Send test” checks that it arrives.", "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/<int:webhook_id>/test")
def send_test(webhook_id: int):
    _require_button_form()
    webhooks.send_test(db.get_or_404(Webhook, webhook_id))
    db.session.commit()
    flash("Test queued: the worker sends it within a few seconds; its answer shows below.",
          "info")
    return redirect(url_for("webhooks.index", _anchor=f"webhook-{webhook_id}"))


@bp.post("/<int:webhook_id>/delete")
def delete(webhook_id: int):
    _require_button_form()
    db.session.delete(db.get_or_404(Webhook, webhook_id))
    db.session.commit()
    flash("Webhook removed, with its deliveries.", "success")
    return redirect(url_for("webhooks.index"))


def _require_button_form() -> None:
    require_button_form()


def _render(form: WebhookForm) -> str:
    hooks = webhooks.all_webhooks()
    return render_template("webhooks/index.html", form=form, hooks=hooks,
                           deliveries=webhooks.recent_deliveries([h.id for h in hooks]),
                           events=webhooks.EVENTS)
