"""Form pieces shared by every area."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ideaboard.sanitize import PAGE_MARK

_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000-\uf8ff]")  # and the private-use area
NAME_MAX = 50


def squash_spaces(value: str | None) -> str | None:
    """Trim and fold runs of white space into one space."""
    return _WHITESPACE.sub(" ", strip(value)).strip() if isinstance(value, str) else value


def strip(value: str | None) -> str | None:
    """Trim, and drop the character cached pages use to mark personal holes."""
    return value.replace(PAGE_MARK, "").strip() if isinstance(value, str) else value


def no_control_characters(form: FlaskForm, field: StringField) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("Please use letters, numbers and punctuation only.")


def display_name_field(label: str) -> StringField:
    """A person's shown name: trimmed, 1 to 50 characters, plain text."""
    return StringField(
        label,
        filters=[squash_spaces],
        validators=[
            DataRequired(message="Please enter a name."),
            Length(max=NAME_MAX, message=f"Please keep the name under {NAME_MAX + 1} characters."),
            no_control_characters,
        ],
    )


class ButtonForm(FlaskForm):
    """A form that is only a button (vote, hide, log out): it carries the CSRF token."""
