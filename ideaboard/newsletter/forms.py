from __future__ import annotations

from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ideaboard.forms import Form, strip


class SubscribeForm(Form):
    email = EmailField(
        "Email", filters=[strip], render_kw={"autocomplete": "email"},
        description="Only for the digest: never shown, never shared.",
        validators=[DataRequired(message="Please enter your email address."),
                    Email(message="Please enter a valid email address."), Length(max=254)])
    # A field people never see: bots that fill every input give themselves away.
    website = StringField("Leave this field empty")
    submit = SubmitField("Send me the weekly digest")
