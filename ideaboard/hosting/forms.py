from __future__ import annotations

from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ideaboard.forms import Form, strip

TOPICS_MAX = 1_000


class HostOfferForm(Form):
    topics = TextAreaField(
        "Topics you could host", filters=[strip],
        description="A line or two: what you know, what you would ask the community.",
        validators=[DataRequired(message="Please say what you could host a chat about."),
                    Length(max=TOPICS_MAX,
                           message=f"Please keep it under {TOPICS_MAX:,} characters.")])
    submit = SubmitField("Offer to host")
