from __future__ import annotations

import zoneinfo
from functools import cache, lru_cache

from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Regexp, ValidationError
from wtforms.widgets import Select, html_params

from ideaboard.forms import Form, IdListField, squash_spaces, strip, ticked_at_least_one
from ideaboard.inputs import ID_MAX
from ideaboard.models import Status
from ideaboard.services.settings import VisitorComments

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


class SuspendForm(Form):
    hide_content = BooleanField("Also hide their ideas and comments")
    submit = SubmitField("Suspend")


class LiftSuspensionForm(Form):
    restore_content = BooleanField("Also restore what was hidden with the suspension",
                                   default=True)
    submit = SubmitField("Lift suspension")


class SettingsForm(Form):
    visitor_comments = RadioField(
        "Visitor comments",
        choices=[SelectChoice(mode.value, mode.label) for mode in VisitorComments])
    chat_hashtag = StringField(
        "Chat hashtag", filters=[squash_spaces],
        description="Ends every question when you copy a chat's questions.",
        validators=[InputRequired(message="Please give the chat's hashtag."),
                    Regexp(r"^#\w{1,49}$", message="A hashtag: # and up to 49 letters, "
                           "digits or underscores.")])
    post_limit = IntegerField(
        "Characters per post",
        description="The chat network's limit, hashtag included (280 on X).",
        validators=[InputRequired(message="Please give the limit."),
                    NumberRange(min=50, max=10_000, message="Between 50 and 10,000.")])
    posting_needs_confirmed_email = BooleanField(
        "Members confirm their email address before they post ideas or comments",
        description="Until then they can still read and vote; visitors' comments are not"
                    " affected.")
    submit = SubmitField("Save settings")


class MergeForm(Form):
    """Merge this idea into another, named by its number."""

    target = IntegerField(
        "Merge into",
        description="The number of the idea to keep, as in its address: "
                    "/ideas/<number>. Votes and comments move there.",
        validators=[InputRequired(message="Please give the number of the idea to keep."),
                    NumberRange(min=1, max=ID_MAX, message="No idea has that number.")],
    )
    submit = SubmitField("Merge")


@cache  # the zones on disk are read by walking the tz database: 17 ms a form
def _time_zones() -> tuple[str, ...]:
    return tuple(sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone))


@cache
def _zone_set() -> frozenset[str]:
    return frozenset(_time_zones())


@lru_cache(maxsize=64)  # keyed by real zones only (see TimeZoneSelect): never by posted text
def _zone_options(selected: str | None) -> Markup:
    return Markup("").join(
        Markup('<option{} value="{}">{}</option>').format(
            Markup(" selected") if zone == selected else "", zone, zone)
        for zone in _time_zones())


class TimeZoneSelect(Select):
    """The ~600 zones' options rendered once per chosen zone, not per page (15 ms each)."""

    def __call__(self, field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        return Markup("<select {}>{}</select>").format(
            html_params(name=field.name, **kwargs),
            _zone_options(field.data if field.data in _zone_set() else None))


def _question(number: int) -> TextAreaField:
    return TextAreaField(
        f"Question T{number}", filters=[squash_spaces],
        validators=[Length(max=QUESTION_MAX,
                           message=f"Please keep it under {QUESTION_MAX:,} characters.")])


QUESTION_MAX = 1_000
YEARS = (2000, 2100)  # a chat's date (and any time zone's offset from it stays a datetime)
DEFAULT_TIME_ZONE = "America/New_York"  # #HITsm is Fridays at noon Eastern


class PlanChatForm(Form):
    title = StringField("Title", filters=[squash_spaces], validators=[
        InputRequired(message="Please give the chat a title."),
        Length(max=140, message="Please keep the title under 141 characters.")])
    starts_at = DateTimeLocalField("Date and time", format="%Y-%m-%dT%H:%M", validators=[
        InputRequired(message="Please give the date and time.")])

    def validate_starts_at(self, field) -> None:
        if field.data is not None and not YEARS[0] <= field.data.year <= YEARS[1]:
            raise ValidationError(f"Please give a date between {YEARS[0]} and {YEARS[1]}.")
    time_zone = SelectField("Time zone", default=DEFAULT_TIME_ZONE, widget=TimeZoneSelect())
    host = StringField(
        "Host", filters=[squash_spaces],
        description="A member's email address, or the handle of someone without an account "
                    "here, e.g. @someone.",
        validators=[InputRequired(message="Please name a host: a member, or a handle."),
                    Length(max=254, message="That is too long for an email address.")])
    ideas = IdListField("Ideas this chat comes from", validators=[ticked_at_least_one])
    question_1 = _question(1)
    question_2 = _question(2)
    question_3 = _question(3)
    question_4 = _question(4)
    question_5 = _question(5)
    question_6 = _question(6)
    submit = SubmitField("Plan the chat")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = _time_zones()

    @property
    def questions(self) -> list[str]:
        return [getattr(self, f"question_{n}").data or "" for n in range(1, 7)]

    @property
    def question_fields(self) -> list:
        return [getattr(self, f"question_{n}") for n in range(1, 7)]
