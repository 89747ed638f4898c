from __future__ import annotations

from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from ideaboard.forms import Form, strip

SUMMARY_MAX = 2_000


class SummaryForm(Form):
    summary = TextAreaField(
        "Public summary", filters=[strip],
        validators=[Length(max=SUMMARY_MAX,
                           message=f"Please keep it under {SUMMARY_MAX:,} characters.")])
    submit = SubmitField("Save the summary")
