"""Sign up, log in, log out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ideaboard import ratelimits
from ideaboard.auth.access import local_path, sign_in, sign_out
from ideaboard.auth.forms import LoginForm, SignupForm
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm
from ideaboard.services import accounts

bp = Blueprint("auth", __name__)


def _next_page() -> str:
    return local_path(request.args.get("next")) or url_for("board.index")


@bp.route("/signup", methods=["GET", "POST"])
@ratelimits.signup
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("board.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.display_name.data,
                                        form.password.data)
            db.session.commit()
        except (accounts.EmailTaken, IntegrityError):
            db.session.rollback()
            form.email.errors.append("An account with this email already exists. Log in instead?")
        else:
            sign_in(user)
            flash(f"Welcome, {user.display_name}! You can post and vote on ideas now.", "success")
            return redirect(_next_page())
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.login_per_address
@ratelimits.login_per_account
def login():
    if current_user.is_authenticated:
        return redirect(_next_page())
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in(user, remember=form.remember.data)
            return redirect(_next_page())
        form.form_errors.append("That email and password do not match an account.")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if ButtonForm().validate_on_submit():
        sign_out()
        flash("You are logged out.", "info")
    return redirect(url_for("board.index"))
