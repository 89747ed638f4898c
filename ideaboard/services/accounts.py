"""Accounts: sign-up (with the address confirmed by a mailed link), sign-in, and a forgotten
password reset by mail. Passwords are hashed by PASSWORD_HASH_METHOD (scrypt)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ideaboard.extensions import db
from ideaboard.models import LoginSession, Role, User, utcnow
from ideaboard.services import settings
from ideaboard.services.mail import link, queue_mail

RESET_MAX_AGE = 60 * 60  # seconds a password reset link works
VERIFY_MAX_AGE = 7 * 24 * 60 * 60  # seconds a link confirming an address works


def hash_password(password: str) -> str:
    """The password's hash, by the board's PASSWORD_HASH_METHOD (Werkzeug's scrypt)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """Checked when no account matches, so a wrong email costs as long as a wrong password."""
    return _dummy_hash_by(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash_by(method: str) -> str:
    """Made on first use: scrypt needs 32 MB, which no worker should pay at import."""
    return generate_password_hash("not a real password", method=method)


class EmailTaken(ValueError):
    """An account with this email already exists."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, display_name: str, password: str, role: Role = Role.MEMBER,
                verified: bool = True) -> User:
    """A new account; raises EmailTaken if the email is in use (in any letter case). Made
    by sign-up, its address waits for confirmation (verified=False); made by the operator
    or the demo, it is taken as confirmed."""
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=normalize_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if email and password match; None otherwise, without saying which was wrong."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


CONFIRM_FIRST = ("Please confirm your email address first: follow the link we mailed you,"
                 " or ask for a new one on your account page.")


def must_confirm_before_posting(account) -> bool:
    """Whether the board asks confirmed addresses of posters and this member has none yet."""
    if not settings.current().posting_needs_confirmed_email:
        return False
    user = db.session.get(User, account.id)
    return user is not None and not user.is_verified


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def token_digest(token: str) -> str:
    """What is stored of a login session's token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user_id: int, forget_before: datetime | None = None) -> str:
    """A new login session for the member; returns its token (kept only in their cookies).
    Their sessions started before `forget_before` (older than any remember cookie) go."""
    if forget_before is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == user_id,
                                                      LoginSession.created_at < forget_before))
    token = secrets.token_urlsafe(24)
    db.session.add(LoginSession(token_hash=token_digest(token), user_id=user_id,
                                created_at=utcnow()))
    db.session.flush()
    return token


def end_session(token: str) -> None:
    """End one login session: its session and remember cookies stop working everywhere."""
    db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))


def end_other_sessions(user_id: int, keep_token: str | None = None) -> int:
    """End every login session of the member but `keep_token`'s (say, after a password
    change); returns how many ended."""
    query = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_token is not None:
        query = query.where(LoginSession.token_hash != token_digest(keep_token))
    return db.session.execute(query).rowcount


def set_password(user: User, password: str, keep_token: str | None = None) -> None:
    """Give the member a new password, ending every login session but `keep_token`'s (the
    browser that changed it, if any): whoever knew the old one is out."""
    user.password_hash = hash_password(password)
    end_other_sessions(user.id, keep_token)


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _password_fingerprint(user: User) -> str:
    """Part of the link: a new password (the link used) changes it, so a link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def password_reset_token(user: User) -> str:
    """A signed token naming the member and their current password's fingerprint."""
    return _signer("password-reset").dumps([user.id, _password_fingerprint(user)])


def user_for_reset_token(token: str) -> User | None:
    """The member a reset token is for, if it is genuine, under RESET_MAX_AGE old, and
    unused (their password is still the one it was made for); else None."""
    try:
        user_id, fingerprint = _signer("password-reset").loads(token, max_age=RESET_MAX_AGE)
        user = db.session.get(User, int(user_id))
    except (BadSignature, ValueError, TypeError, OverflowError):
        return None
    if user is None or not secrets.compare_digest(str(fingerprint),
                                                  _password_fingerprint(user)):
        return None
    return user


def send_password_reset(email: str) -> None:
    """Queue a reset link for the account with this email, if there is one. Says nothing
    either way: the page answers the same whether or not the address has an account."""
    user = find_by_email(email)
    if user is None:
        return
    queue_mail(user.email, "Reset your Ideaboard password", "password_reset", user=user,
               reset_url=link("auth.reset_password", token=password_reset_token(user)),
               valid_minutes=RESET_MAX_AGE // 60)


def sign_up(email: str, display_name: str, password: str) -> User | None:
    """A new member, with a link to confirm their address queued; or, if the address has
    an account already, None, and a note to its owner instead (so the sign-up page never
    says which addresses have accounts)."""
    owner = find_by_email(email)
    if owner is not None:
        hash_password(password)  # as long as a sign-up takes: time tells nothing
        queue_mail(owner.email, "Someone tried to sign up with your address", "account_exists",
                   user=owner, login_url=link("auth.login"),
                   reset_url=link("auth.forgot_password"))
        return None
    user = create_user(email, display_name, password, verified=False)
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    """Queue the link that confirms the member's current address."""
    token = _signer("verify-email").dumps([user.id, user.email])
    queue_mail(user.email, "Confirm your address on Ideaboard", "verify_email", user=user,
               verify_url=link("auth.verify_email", token=token),
               valid_days=VERIFY_MAX_AGE // 86400)


def verify_email(token: str) -> User | None:
    """Mark the address a genuine, unexpired link names as confirmed, if it is still the
    member's address (a link sent before a change of address confirms nothing); returns
    the member, or None."""
    try:
        user_id, email = _signer("verify-email").loads(token, max_age=VERIFY_MAX_AGE)
        user = db.session.get(User, int(user_id))
    except (BadSignature, ValueError, TypeError, OverflowError):
        return None
    if user is None or user.email != email:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def change_email(user: User, email: str) -> bool:
    """Move the account to a new address, unconfirmed until its link is followed (a notice
    goes to the old one). If another account has the address, nothing changes and its
    owner is told instead, as at sign-up; returns whether the address changed."""
    email = normalize_email(email)
    if email == user.email:
        return False
    owner = find_by_email(email)
    if owner is not None:
        queue_mail(owner.email, "Someone tried to use your address on Ideaboard",
                   "account_exists", user=owner, login_url=link("auth.login"),
                   reset_url=link("auth.forgot_password"))
        return False
    queue_mail(user.email, "Your Ideaboard address was changed", "email_changed", user=user,
               new_email=email, reset_url=link("auth.forgot_password"))
    user.email, user.email_verified_at = email, None
    send_verification(user)
    return True
