from __future__ import annotations

from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from ideaboard.forms import Form, strip
from ideaboard.models import Status

RESPONSE_MAX = 5_000


class StatusForm(Form):
    status = SelectField("Status", choices=[SelectChoice(s.value, s.label) for s in Status])
    response = TextAreaField(
        "Official response",
        filters=[strip],
        validators=[Length(max=RESPONSE_MAX,
                           message=f"Please keep it under {RESPONSE_MAX:,} characters.")],
    )
    submit = SubmitField("Update status")
