from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from wtforms import (
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ideaboard.forms import Form, strip
from ideaboard.models import WebhookFormat
from ideaboard.services.webhooks import EVENTS

URL_MAX = 2000


def http_address(_form, field) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Please give an http:// or https:// address.")


def standard_secret(_form, field) -> None:
    """A secret as Standard Webhooks writes one: whsec_ and 24 to 64 bytes in base64."""
    if not field.data:
        return
    try:
        key = base64.b64decode(field.data.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not field.data.startswith("whsec_") or not 24 <= len(key) <= 64:
        raise ValidationError("A secret is whsec_ followed by 24 to 64 bytes in base64; "
                              "leave it empty and one is made for you.")


class WebhookForm(Form):
    url = URLField("Payload URL", filters=[strip],
                   validators=[DataRequired(message="Please give the address to POST to."),
                               Length(max=URL_MAX), http_address])
    events = SelectMultipleField(
        "Events", choices=[SelectChoice(name, label) for name, label in EVENTS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message="Please choose at least one event.")])
    format = RadioField("Format", choices=[SelectChoice(f.value, f.label) for f in WebhookFormat],
                        default=WebhookFormat.STANDARD.value)
    secret = StringField("Secret", filters=[strip],
                         description="Signs every delivery (HMAC-SHA256). Leave empty to "
                                     "have one made.",
                         validators=[Optional(), Length(max=100), standard_secret])
    submit = SubmitField("Add webhook")
