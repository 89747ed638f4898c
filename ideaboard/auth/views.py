"""Sign up, log in, log out, and the member's own page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ideaboard import ratelimits
from ideaboard.auth.access import local_path, sign_in, sign_out
from ideaboard.auth.forms import LoginForm, SignupForm
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm
from ideaboard.models import User
from ideaboard.services import accounts, caretakers

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


@bp.get("/account")
@login_required
def account():
    """The member's own page: who they are here, and an invitation to answer, if any."""
    return render_template("auth/account.html",
                           invitation=caretakers.pending_for(current_user.id),
                           last_caretaker=current_user.is_caretaker
                           and caretakers.caretaker_count() == 1)


@bp.post("/account/invitation/<answer>")
@login_required
def answer_invitation(answer: str):
    if answer not in ("accept", "decline") or not ButtonForm().validate_on_submit():
        abort(400)
    try:
        caretakers.answer(db.session.get(User, current_user.id), answer == "accept")
    except caretakers.BatonRefused as refused:
        abort(409, str(refused))
    db.session.commit()
    if answer == "accept":
        flash("Welcome, caretaker! The caretaker's desk is in the menu.", "success")
    else:
        flash("You declined the invitation.", "info")
    return redirect(url_for("auth.account"))


@bp.post("/account/step-down")
@login_required
def step_down():
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        caretakers.step_down(db.session.get(User, current_user.id))
    except caretakers.BatonRefused as refused:
        abort(409, str(refused))
    db.session.commit()
    flash("You are a member again. Thank you for taking care of the community.", "success")
    return redirect(url_for("auth.account"))
