from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ideaboard.forms import Form, GuardsHealthData, display_name_field, squash_spaces, strip
from ideaboard.inputs import ID_DIGITS
from ideaboard.services import nominations
from ideaboard.services.categories import by_slug
from ideaboard.services.flags import Reason

TITLE_MAX = 140
DESCRIPTION_MAX = 10_000
COMMENT_MAX = 5_000


class IdeaForm(GuardsHealthData, Form):
    guarded = ("title", "description")
    title = StringField(
        "Title",
        filters=[squash_spaces],
        validators=[DataRequired(message="Please give your idea a title."),
                    Length(min=5, max=TITLE_MAX,
                           message=f"Please use 5 to {TITLE_MAX} characters.")],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[DataRequired(message="Please describe your idea."),
                    Length(max=DESCRIPTION_MAX,
                           message=f"Please keep it under {DESCRIPTION_MAX:,} characters.")],
    )
    category = SelectField("Category", coerce=int,
                           validators=[DataRequired(message="Please choose a category.")])
    # "Host to invite" only: the person proposed (services/nominations.py).
    nominee_name = display_name_field("Their name", required=False)
    nominee_handle = StringField(
        "Their handle", filters=[squash_spaces],
        description="On the chat's network, e.g. @jane_rn (optional).",
        validators=[Optional(), Length(max=50, message="Please use at most 50 characters.")])
    nominee_email = EmailField(
        "Their email", filters=[strip],
        description="Optional, never shown: they get one email asking whether they agree "
                    "to be proposed. Until they say yes, the idea's votes are not shown.",
        validators=[Optional(), Email(message="Please enter a valid email address."),
                    Length(max=254)])
    submit = SubmitField("Post idea")

    def validate_nominee_name(self, field) -> None:
        if not self._proposes_a_host():
            self._only_for_hosts(field)
        elif (self.nominee_handle.data or self.nominee_email.data) and not field.data:
            raise ValidationError("Please give the name of the person you propose.")

    def validate_nominee_handle(self, field) -> None:
        self._only_for_hosts(field)

    def validate_nominee_email(self, field) -> None:
        self._only_for_hosts(field)
        if field.data and nominations.recently_nominated(field.data):
            raise ValidationError("This person was proposed in the last 90 days: please vote "
                                  "for that idea instead.")


    def _proposes_a_host(self) -> bool:
        return self.category.data == _host_category_id()

    def _only_for_hosts(self, field) -> None:
        """Each filled nominee field is an error on an idea of another category."""
        if field.data and not self._proposes_a_host():
            raise ValidationError("Only ideas in “Host to invite” propose a person.")


def _host_category_id() -> int | None:
    category = by_slug(nominations.HOST_CATEGORY)
    return category.id if category else None


class EditIdeaForm(IdeaForm):
    nominee_name = nominee_handle = nominee_email = None  # a nomination is made once
    submit = SubmitField("Save changes")


def _comment_field() -> TextAreaField:
    return TextAreaField(
        "Comment",
        filters=[strip],
        validators=[DataRequired(message="Please write a comment."),
                    Length(max=COMMENT_MAX,
                           message=f"Please keep it under {COMMENT_MAX:,} characters.")],
    )


def _reply_field() -> HiddenField:
    """The comment answered, when this is a reply (set by the page, never typed)."""
    return HiddenField()


class CommentForm(Form):
    @property
    def parent_id(self) -> int | None:
        """The comment this one answers, None if it answers none; 0 (no comment's id) for
        a value that is no id."""
        value = self.reply_to.data
        if not value:
            return None
        return int(value) if ID_DIGITS.match(value) else 0


class MemberCommentForm(GuardsHealthData, CommentForm):
    guarded = ("body",)
    body = _comment_field()
    reply_to = _reply_field()
    submit = SubmitField("Post comment")


class EditCommentForm(GuardsHealthData, Form):
    guarded = ("body",)
    body = _comment_field()
    submit = SubmitField("Save changes")


class GuestCommentForm(GuardsHealthData, CommentForm):
    guarded = ("body",)
    name = display_name_field("Name")
    email = EmailField(
        "Email",
        description="Optional, never shown.",
        filters=[strip],
        validators=[Optional(), Email(message="Please enter a valid email address."),
                    Length(max=254)],
    )
    email_replies = BooleanField("Email me replies to my comment")
    body = _comment_field()
    reply_to = _reply_field()
    # A field people never see: bots that fill every input give themselves away.
    website = StringField("Leave this field empty")
    submit = SubmitField("Post comment")

    @property
    def looks_automated(self) -> bool:
        return bool(self.website.data)

    def validate_email_replies(self, field: BooleanField) -> None:
        if field.data and not self.email.data:
            raise ValidationError("Please give your email, so that replies can reach you.")


FLAG_DETAILS_MAX = 500


class FlagForm(Form):
    """A report to the caretaker about an idea or a comment."""

    reason = SelectField("Why should the caretaker look at this?",
                         choices=[SelectChoice(r.value, r.label) for r in Reason])
    details = TextAreaField(
        "Anything the caretaker should know (optional)",
        filters=[strip],
        validators=[Length(max=FLAG_DETAILS_MAX,
                           message=f"Please keep it under {FLAG_DETAILS_MAX} characters.")],
    )
    submit = SubmitField("Send to the caretaker")
