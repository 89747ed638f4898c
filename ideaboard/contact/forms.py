from __future__ import annotations

from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from ideaboard.forms import Form, display_name_field, strip

MESSAGE_MAX = 5_000


def _message_field() -> TextAreaField:
    return TextAreaField(
        "Your message", filters=[strip],
        description="Only the caretaker reads it.",
        validators=[DataRequired(message="Please write your message."),
                    Length(max=MESSAGE_MAX,
                           message=f"Please keep it under {MESSAGE_MAX:,} characters.")])


class MemberMessageForm(Form):
    body = _message_field()
    submit = SubmitField("Send to the caretaker")


class VisitorMessageForm(Form):
    name = display_name_field("Your name")
    email = EmailField(
        "Your email", filters=[strip],
        description="So the caretaker can answer you. Never shown to anyone else.",
        validators=[DataRequired(message="Please give an email address to answer you at."),
                    Email(message="Please enter a valid email address."), Length(max=254)])
    body = _message_field()
    website = StringField("Leave this field empty")  # the honeypot, as on comments
    submit = SubmitField("Send to the caretaker")

    @property
    def looks_automated(self) -> bool:
        return bool(self.website.data)
