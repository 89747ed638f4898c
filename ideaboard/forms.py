"""Form pieces shared by every area."""

from __future__ import annotations

import re
from typing import ClassVar

from flask import abort
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ideaboard.inputs import ID_MAX, refusal_for
from ideaboard.services import health_data

_WHITESPACE = re.compile(r"\s+")
_LINE_BREAK_OR_TAB = re.compile(r"[\t\n\r]")
NAME_MAX = 50
ONE_LINE = "Please keep this on one line, without tabs."


class Form(FlaskForm):
    """Every form of the app. The input door (inputs.py) has already taken out values it
    refused; here they become their field's error, shown with what was typed (less the
    refused characters). One-line fields also refuse line breaks and tabs, which the door
    lets through for multi-line text."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            refusal = refusal_for(field.name)
            if refusal is not None:
                if isinstance(field, StringField):  # text: shown again as typed
                    field.raw_data, field.data = [refusal.shown], refusal.shown
                field.errors = [refusal.message]
            elif _is_one_line(field) and any(
                    _LINE_BREAK_OR_TAB.search(value) for value in field.raw_data or ()):
                field.errors = [ONE_LINE]
            else:
                continue
            valid = False
        return valid


class GuardsHealthData:
    """Mixed into a form whose text is published: text that looks like personal health
    information (services/health_data.py) is an error on its field until the author edits
    it out or ticks `publish_anyway`; `health_data` keeps what was found, for the view to
    flag what the author confirmed."""

    guarded: tuple[str, ...] = ()
    shown_when_needed = ("publish_anyway",)  # the page shows the box only with findings
    publish_anyway = BooleanField(
        "Publish it anyway: it is nobody's health information, or they agreed to share it")
    health_findings: ClassVar[list[health_data.Finding]] = []  # set by validate()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.health_findings = health_data.scan(
            {name: self[name].data for name in self.guarded}) if valid else []
        if not self.health_findings or self.publish_anyway.data:
            return valid
        for finding in self.health_findings:
            field = self[finding.field]
            if not field.errors:
                field.errors = [f"This may be someone's personal health information: it looks "
                                f"like {finding.kind} (“{finding.found}”). Please edit it out, "
                                f"or confirm that it may be published."]
        return False


def _is_one_line(field) -> bool:
    return isinstance(field, StringField) and not isinstance(field, TextAreaField)


def squash_spaces(value: str | None) -> str | None:
    """Trim and fold runs of white space into one space."""
    return _WHITESPACE.sub(" ", value).strip() if isinstance(value, str) else value


def strip(value: str | None) -> str | None:
    """Trim white space at both ends."""
    return value.strip() if isinstance(value, str) else value


def display_name_field(label: str, required: bool = True) -> StringField:
    """A person's shown name: trimmed, 1 to 50 characters (or none, if not `required`),
    plain text."""
    too_long = Length(max=NAME_MAX,
                      message=f"Please keep the name under {NAME_MAX + 1} characters.")
    present = [DataRequired(message="Please enter a name.")] if required else []
    return StringField(label, filters=[squash_spaces], validators=[*present, too_long])


class ButtonForm(Form):
    """A form that is only a button (vote, hide, log out): it carries the CSRF token."""


def require_button_form() -> None:
    """Answer 400 unless this request is a button's form with a valid CSRF token."""
    if not ButtonForm().validate_on_submit():
        abort(400)


def _drawn_by_the_page(field, **kwargs) -> Markup:
    return Markup("")


class IdListField(Field):
    """Several record ids under one name (ticked checkboxes): each a whole number a database
    id can be, at most `max_ids` of them; the page draws the checkboxes itself (the field
    renders nothing, and is no hidden input for `hidden_tag`)."""

    widget = staticmethod(_drawn_by_the_page)

    def __init__(self, label: str | None = None, validators=None, max_ids: int = 100,
                 **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.max_ids = max_ids
        self.data: list[int] = []

    def process_data(self, value) -> None:
        self.data = sorted(value or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) > self.max_ids:
            raise ValueError(f"Please tick at most {self.max_ids}.")
        if not all(v.isascii() and v.isdigit() and len(v) <= 10 and 0 < int(v) <= ID_MAX
                   for v in valuelist):
            raise ValueError("That is not a list of ideas.")
        self.data = sorted({int(v) for v in valuelist})

    def _value(self) -> str:
        return ""


def ticked_at_least_one(form, field: IdListField) -> None:
    if not field.data:
        raise ValidationError("Please tick at least one.")
