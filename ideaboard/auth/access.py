"""Who may do what: the decorators and helpers every view uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from ideaboard.database import hot_connections
from ideaboard.extensions import db
from ideaboard.inputs import ID_MAX
from ideaboard.models import Role, User, utcnow
from ideaboard.services import accounts
from ideaboard.services.freshness import GENERATION_SUBQUERIES, Generation, note_generation

# The board's generation comes along: a member's page needs both, in one round trip.
_SIGNED_IN = (
    f"SELECT users.id, display_name, role, suspended_at, {GENERATION_SUBQUERIES}"
    " FROM login_sessions"
    " JOIN users ON users.id = login_sessions.user_id"
    " WHERE token_hash = :token_hash AND users.id = :id"
)
_TOKEN_MAX = 64


@dataclass(frozen=True, eq=False)
class SignedIn(UserMixin):
    """Who is making this request: what pages and permission checks need, read per request.

    A plain value rather than the ORM row, because every member's request loads it: one
    small query instead of an ORM load. Account changes still take effect on the next
    request, as nothing is cached.
    """

    id: int
    display_name: str
    role: Role
    session_token: str
    is_suspended: bool = False

    @property
    def is_caretaker(self) -> bool:
        return self.role is Role.CARETAKER

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookies: the member and their
        login session, which must both still be there for the cookies to work."""
        return f"{self.id}:{self.session_token}"


def load_user(cookie_id: str) -> SignedIn | None:
    """The member a cookie names, if its login session has not ended."""
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or len(user_id) > 10 or int(user_id) > ID_MAX:
        return None
    if not token or len(token) > _TOKEN_MAX:
        return None
    rows = hot_connections().rows(
        _SIGNED_IN, {"id": int(user_id), "token_hash": accounts.token_digest(token)})
    if not rows:
        return None
    found_id, display_name, role, suspended_at, *generations = rows[0]
    note_generation(Generation(*generations))
    return SignedIn(found_id, display_name, Role(role), token, suspended_at is not None)


def sign_in(user: User, remember: bool = False) -> None:
    """Start a login session for `user` in this browser (committed) and sign them in."""
    forget_before = utcnow() - current_app.config["REMEMBER_COOKIE_DURATION"]
    token = accounts.start_session(user.id, forget_before)
    db.session.commit()
    login_user(SignedIn(user.id, user.display_name, user.role, token, user.is_suspended),
               remember=remember)


def sign_out() -> None:
    """End this browser's login session, so that no copy of its cookies works, and forget
    it here (Flask-Login clears the remember cookie)."""
    if current_user.is_authenticated:
        accounts.end_session(current_user.session_token)
        db.session.commit()
    logout_user()


def is_caretaker() -> bool:
    return current_user.is_authenticated and current_user.is_caretaker


def caretaker_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Log in first (redirect), then 403 for anyone who is not the caretaker."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_caretaker:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


SUSPENDED = ("Your account is suspended: you can read the board, but not post, vote, comment"
             " or flag.")


def refuse_if_suspended() -> None:
    """403 for a suspended member (who may still read everything)."""
    if current_user.is_authenticated and current_user.is_suspended:
        abort(403, SUSPENDED)


def refuse_if_unconfirmed() -> None:
    """403 for a member who must confirm their address before posting (a board setting)."""
    if current_user.is_authenticated and accounts.must_confirm_before_posting(current_user):
        abort(403, accounts.CONFIRM_FIRST)


def active_member_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Log in first (redirect), then 403 for a suspended member."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        refuse_if_suspended()
        return view(*args, **kwargs)

    return wrapped


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, no host, no control characters),
    else None: for `next` and other redirect targets that came with the request."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target
