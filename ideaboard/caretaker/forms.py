from __future__ import annotations

from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from ideaboard.forms import Form, IdListField, strip, ticked_at_least_one
from ideaboard.models import Status

RESPONSE_MAX = 5_000
STATUS_CHOICES = [SelectChoice(s.value, s.label) for s in Status]


def _response_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[Length(max=RESPONSE_MAX,
                           message=f"Please keep it under {RESPONSE_MAX:,} characters.")],
    )


class StatusForm(Form):
    status = SelectField("Status", choices=STATUS_CHOICES)
    response = _response_field("Official response")
    submit = SubmitField("Update status")


class BulkStatusForm(Form):
    """The ideas ticked in the caretaker's table, and the status (and response) they get."""

    ideas = IdListField("Ideas", validators=[ticked_at_least_one])
    status = SelectField("New status for the ticked ideas", choices=STATUS_CHOICES)
    response = _response_field("Official response for each (optional)")
    submit = SubmitField("Change status of ticked ideas")
