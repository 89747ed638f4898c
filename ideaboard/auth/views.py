"""Sign up, log in, log out, and the member's own page."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ideaboard import ratelimits
from ideaboard.auth.access import (
    active_member_required,
    local_path,
    refuse_if_suspended,
    sign_in,
    sign_out,
)
from ideaboard.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
    TokenForm,
)
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm, require_button_form
from ideaboard.models import ApiToken, User
from ideaboard.services import (
    account_deletion,
    accounts,
    api_tokens,
    caretakers,
    personal_data,
    profiles,
)

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
            user = accounts.sign_up(form.email.data, form.display_name.data, form.password.data)
            db.session.commit()
        except IntegrityError:  # the same address, signed up at the same moment
            db.session.rollback()
            user = None
        # The same words whether or not the address had an account: its owner got a mail.
        flash(f"We sent a message to {form.email.data}: follow its link to confirm the"
              " address.", "info")
        if user is None:
            return redirect(url_for("auth.login"))
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


@bp.get("/account/verify/<token>")
def verify_email(token: str):
    """The link mailed to a new address: confirms it, signed in or not."""
    user = accounts.verify_email(token)
    if user is None:
        flash("That link has expired, or is for an address the account no longer has."
              " Log in to get a new one from your account page.", "error")
        return redirect(url_for("auth.login"))
    db.session.commit()
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("board.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@ratelimits.password_check
def change_password():
    """A new password, given the current one; every other session of the member ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if accounts.password_matches(user, form.current_password.data):
            accounts.set_password(user, form.password.data, keep_token=current_user.session_token)
            db.session.commit()
            flash("Your password is changed; you are logged out everywhere else.", "success")
            return redirect(url_for("auth.account"))
        form.current_password.errors.append("That is not your current password.")
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@ratelimits.password_check
def delete_account():
    """Delete the account, given the password: votes go; ideas and comments stay as "A
    former member"'s, or go too, as the member chooses."""
    form = DeleteAccountForm()
    user = db.session.get(User, current_user.id)
    if form.validate_on_submit():
        if not accounts.password_matches(user, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            try:
                account_deletion.delete_account(user, account_deletion.Content(form.content.data))
            except account_deletion.DeletionRefused as refusal:
                db.session.rollback()
                form.form_errors.append(str(refusal))
            else:
                db.session.commit()
                sign_out()
                flash("Your account is deleted. Thank you for taking part.", "success")
                return redirect(url_for("board.index"))
    return render_template("auth/delete_account.html", form=form), 400 if form.errors else 200


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@ratelimits.password_check
def change_email():
    """A new address, given the current password; it waits for confirmation by its link."""
    user = db.session.get(User, current_user.id)
    form = ChangeEmailForm()
    if form.validate_on_submit():
        if accounts.normalize_email(form.email.data) == user.email:
            form.email.errors.append("That is already your address.")
        elif accounts.password_matches(user, form.current_password.data):
            accounts.change_email(user, form.email.data)
            db.session.commit()
            # The same words whether or not another account has the address.
            flash(f"We sent a message to {form.email.data}: follow its link to confirm the"
                  " address.", "info")
            return redirect(url_for("auth.account"))
        else:
            form.current_password.errors.append("That is not your current password.")
    return (render_template("auth/change_email.html", form=form, user=user),
            400 if form.errors else 200)


@bp.route("/account/profile", methods=["GET", "POST"])
@active_member_required
def edit_profile():
    """The name, handle and few words others see on the member's profile."""
    user = db.session.get(User, current_user.id)
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        profiles.update_profile(user, form.display_name.data, form.handle.data, form.bio.data)
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("members.profile", user_id=user.id))
    return render_template("auth/profile.html", form=form, user=user), 400 if form.errors else 200


@bp.get("/account/export")
@login_required
def export_data():
    """Everything the board holds about the member, as a JSON file to keep."""
    data = personal_data.export(db.session.get(User, current_user.id))
    response = make_response(json.dumps(data, indent=2, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ideaboard-{current_user.id}.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/verify")
@login_required
@ratelimits.resend_verification
def resend_verification():
    if ButtonForm().validate_on_submit():
        user = db.session.get(User, current_user.id)
        if not user.is_verified:
            accounts.send_verification(user)
            db.session.commit()
            flash(f"A new link is on its way to {user.email}.", "info")
    return redirect(url_for("auth.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@ratelimits.password_reset_per_address
@ratelimits.password_reset_per_account
def forgot_password():
    """Ask for a reset link by email; the answer is the same whether or not the address
    has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.send_password_reset(form.email.data)
        db.session.commit()
        flash("If an account uses that address, a link to choose a new password is on its"
              f" way. It works for {accounts.RESET_MAX_AGE // 60} minutes.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@ratelimits.password_reset_per_address
def reset_password(token: str):
    """Choose a new password from the emailed link; every other session of the member ends,
    and this browser is signed in."""
    user = accounts.user_for_reset_token(token)
    if user is None:
        flash("That link has expired or was already used. Ask for a new one.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        db.session.commit()
        sign_in(user)
        flash("Your new password is set; you are logged in.", "success")
        return redirect(url_for("board.index"))
    response = make_response(render_template("auth/reset.html", form=form),
                             400 if form.errors else 200)
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a key: keep it here
    return response


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
    """The member's own page: who they are here, an invitation to answer, if any, and
    their API tokens."""
    return _account_page(TokenForm(formdata=None))


def _account_page(token_form: TokenForm, new_token: tuple[ApiToken, str] | None = None,
                  status: int = 200):
    response = make_response(render_template(
        "auth/account.html", user=db.session.get(User, current_user.id),
        invitation=caretakers.pending_for(current_user.id),
        last_caretaker=current_user.is_caretaker and caretakers.caretaker_count() == 1,
        tokens=api_tokens.tokens_of(current_user.id), token_form=token_form,
        new_token=new_token), status)
    if new_token is not None:
        response.headers["Cache-Control"] = "no-store"  # the one copy of a secret
    return response


@bp.post("/account/tokens")
@login_required
def create_token():
    """Make a token and show it, once, on the account page itself (a redirect would have
    to carry the secret in the session or the URL)."""
    refuse_if_suspended()
    form = TokenForm()
    if form.validate_on_submit():
        try:
            new_token = api_tokens.create_token(current_user.id, form.name.data)
        except api_tokens.TooManyTokens:
            form.name.errors.append(f"You have {api_tokens.MAX_TOKENS} tokens, the most a"
                                    " member may have: revoke one you no longer use first.")
        else:
            db.session.commit()
            return _account_page(TokenForm(formdata=None), new_token, status=201)
    return _account_page(form, status=400)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Delete one of the member's own tokens (404 for anyone else's). Suspended members may
    revoke too: taking access away is always allowed."""
    require_button_form()
    if not api_tokens.revoke_token(current_user.id, token_id):
        abort(404)
    db.session.commit()
    flash("The token is revoked: scripts using it are refused from now on.", "success")
    return redirect(url_for("auth.account"))


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
    require_button_form()
    try:
        caretakers.step_down(db.session.get(User, current_user.id))
    except caretakers.BatonRefused as refused:
        abort(409, str(refused))
    db.session.commit()
    flash("You are a member again. Thank you for taking care of the community.", "success")
    return redirect(url_for("auth.account"))
