from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ideaboard.forms import Form, display_name_field, strip

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
