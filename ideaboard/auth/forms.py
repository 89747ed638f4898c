from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ideaboard.forms import Form, display_name_field, squash_spaces, strip
from ideaboard.services.api_tokens import NAME_MAX as TOKEN_NAME_MAX

PASSWORD_MIN = 8


class SignupForm(Form):
    display_name = display_name_field("Display name")
    email = EmailField(
        "Email",
        filters=[strip],
        render_kw={"autocomplete": "email"},
        validators=[DataRequired(message="Please enter your email address."),
                    Email(message="Please enter a valid email address."), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(message="Please choose a password."),
                    Length(min=PASSWORD_MIN, max=200,
                           message=f"Please use at least {PASSWORD_MIN} characters.")],
    )
    submit = SubmitField("Sign up")


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
