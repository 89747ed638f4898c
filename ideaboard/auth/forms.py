from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
)

from ideaboard.forms import Form, display_name_field, squash_spaces, strip
from ideaboard.models import BIO_MAX, HANDLE_MAX
from ideaboard.services.api_tokens import NAME_MAX as TOKEN_NAME_MAX

PASSWORD_MIN = 8


def _email_field() -> EmailField:
    return EmailField(
        "Email",
        filters=[strip],
        render_kw={"autocomplete": "email"},
        validators=[DataRequired(message="Please enter your email address."),
                    Email(message="Please enter a valid email address."), Length(max=254)],
    )


def _new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(message="Please choose a password."),
                    Length(min=PASSWORD_MIN, max=200,
                           message=f"Please use at least {PASSWORD_MIN} characters.")],
    )


def _current_password_field() -> PasswordField:
    return PasswordField("Current password", render_kw={"autocomplete": "current-password"},
                         validators=[DataRequired(message="Please enter your current password.")])


def _confirm_field() -> PasswordField:
    return PasswordField(
        "New password, again", render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(message="Please type the new password again."),
                    EqualTo("password", message="The two passwords differ.")])


class SignupForm(Form):
    display_name = display_name_field("Display name")
    email = _email_field()
    password = _new_password_field()
    submit = SubmitField("Sign up")


class ForgotPasswordForm(Form):
    email = _email_field()
    submit = SubmitField("Email me a link")


class ResetPasswordForm(Form):
    password = _new_password_field("New password")
    confirm = _confirm_field()
    submit = SubmitField("Set the new password")


class LoginForm(Form):
    email = EmailField("Email", filters=[strip], render_kw={"autocomplete": "email"},
                       validators=[DataRequired(message="Please enter your email address.")])
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"},
                             validators=[DataRequired(message="Please enter your password.")])
    remember = BooleanField("Remember me")
    submit = SubmitField("Log in")


class TokenForm(Form):
    name = StringField(
        "Token name",
        filters=[squash_spaces],
        validators=[DataRequired(message="Please name the token after what will use it."),
                    Length(max=TOKEN_NAME_MAX, message="Please keep the name under"
                           f" {TOKEN_NAME_MAX + 1} characters.")],
    )
    submit = SubmitField("Create token")


class ChangePasswordForm(Form):
    current_password = _current_password_field()
    password = _new_password_field("New password")
    confirm = _confirm_field()
    submit = SubmitField("Change password")


class DeleteAccountForm(Form):
    content = RadioField(
        "Your ideas and comments",
        choices=[SelectChoice("anonymise", "Keep them on the board, signed “A former member”"),
                 SelectChoice("delete", "Delete them too (your ideas go with the comments and "
                                        "votes others left on them)")],
        validators=[InputRequired(message="Please choose what happens to your ideas and "
                                          "comments.")])
    current_password = _current_password_field()
    submit = SubmitField("Delete my account")


class ChangeEmailForm(Form):
    email = _email_field()
    current_password = _current_password_field()
    submit = SubmitField("Change address")


class ProfileForm(Form):
    display_name = display_name_field("Display name")
    handle = StringField(
        "Your handle on the chat's network",
        description="Optional, as in @yourname: letters, digits and underscores.",
        filters=[strip],
        validators=[Optional(), Regexp(rf"@?[A-Za-z0-9_]{{1,{HANDLE_MAX}}}\Z",
                                       message="Please use letters, digits and underscores "
                                               f"(at most {HANDLE_MAX}), as in @yourname.")])
    bio = TextAreaField(
        "About you",
        description=f"Optional, plain text, at most {BIO_MAX} characters: shown on your "
                    "profile.",
        filters=[strip],
        validators=[Optional(), Length(max=BIO_MAX,
                                       message=f"Please keep it under {BIO_MAX + 1} characters.")])
    submit = SubmitField("Save profile")
