from __future__ import annotations

from wtforms import BooleanField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice

from ideaboard.forms import Form
from ideaboard.models import Delivery

_DELIVERIES = [SelectChoice(Delivery.INSTANT.value, "By email, as it happens"),
               SelectChoice(Delivery.DIGEST.value, "In the weekly digest"),
               SelectChoice(Delivery.OFF.value, "Not at all")]


def _delivery_field(label: str) -> RadioField:
    return RadioField(label, choices=_DELIVERIES, coerce=Delivery,
                      validate_choice=True)


class NotificationSettingsForm(Form):
    notify_updates = _delivery_field(
        "When the caretaker changes the status of an idea you follow, or answers it")
    notify_comments = _delivery_field("When someone comments on an idea you follow")
    notify_replies = _delivery_field("When someone replies to your comment")
    digest_subscribed = BooleanField(
        "Send me the weekly digest",
        description="New ideas, the week's top movers, status changes and the next chat, "
                    "with what you chose to get in the digest above.")
    submit = SubmitField("Save settings")
