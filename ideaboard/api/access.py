"""Who is calling the API: a personal token (`Authorization: Bearer …`), else the browser's
session, else a visitor. A browser session's writes need the CSRF token (X-CSRFToken), as
every form does; a token's do not, since no browser sends it by itself."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from flask_login import current_user

from ideaboard.api.errors import ApiError
from ideaboard.auth.access import SUSPENDED, SignedIn
from ideaboard.extensions import csrf
from ideaboard.services import accounts, api_tokens

CHALLENGE = 'Bearer realm="ideaboard"'
_SAFE = ("GET", "HEAD", "OPTIONS")


def identify_caller() -> None:
    """Run before every API view: take the bearer token's member as the current user, or
    check a signed-in browser's CSRF token on a write."""
    header = request.headers.get("Authorization")
    if header is not None:
        g._login_user = _token_holder(header)
    elif request.method not in _SAFE and current_user.is_authenticated:
        csrf.protect()


def _token_holder(header: str) -> SignedIn:
    scheme, _, token = header.partition(" ")
    holder = api_tokens.holder_of(token.strip()) if scheme.lower() == "bearer" else None
    if holder is None:
        raise ApiError(401, "This API token is not valid: it may have been revoked, or "
                            "mistyped. Send `Authorization: Bearer <token>`.",
                       headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'})
    return SignedIn(holder.user_id, holder.display_name, holder.role, session_token="",
                    is_suspended=holder.suspended)


def member_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 for a visitor, 403 for a suspended member."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        require_member()
        return view(*args, **kwargs)

    return wrapped


def require_member(message: str = "Please send a member's API token.") -> None:
    if not current_user.is_authenticated:
        raise ApiError(401, message, headers={"WWW-Authenticate": CHALLENGE})
    if current_user.is_suspended:
        raise ApiError(403, SUSPENDED)


def require_poster() -> None:
    """403 for a member who must confirm their address before posting (a board setting)."""
    if accounts.must_confirm_before_posting(current_user):
        raise ApiError(403, accounts.CONFIRM_FIRST)
