"""Accounts: sign-up and sign-in. Passwords are hashed with Werkzeug's default (scrypt)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ideaboard.extensions import db
from ideaboard.models import Role, User


@cache
def _dummy_hash() -> str:
    """Checked when no account matches, so a wrong email costs as long as a wrong password
    (made on first use: scrypt needs 32 MB, which no worker should pay at import)."""
    return generate_password_hash("not a real password")


class EmailTaken(ValueError):
    """An account with this email already exists."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, display_name: str, password: str, role: Role = Role.MEMBER) -> User:
    """A new account; raises EmailTaken if the email is in use (in any letter case)."""
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=normalize_email(email),
        display_name=display_name.strip(),
        password_hash=generate_password_hash(password),
        role=role,
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
