"""Who may do what: the decorators and helpers every view uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort
from flask_login import UserMixin, current_user, login_required

from ideaboard.database import hot_connections
from ideaboard.inputs import ID_MAX
from ideaboard.models import Role
from ideaboard.services.freshness import GENERATION_SUBQUERY, note_generation

# The board's generation comes along: a member's page needs both, in one round trip.
_SIGNED_IN = f"SELECT id, display_name, role, {GENERATION_SUBQUERY} FROM users WHERE id = :id"


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

    @property
    def is_caretaker(self) -> bool:
        return self.role is Role.CARETAKER


def load_user(user_id: str) -> SignedIn | None:
    if not user_id.isdigit() or len(user_id) > 10 or int(user_id) > ID_MAX:
        return None
    rows = hot_connections().rows(_SIGNED_IN, {"id": int(user_id)})
    if not rows:
        return None
    found_id, display_name, role, generation = rows[0]
    note_generation(generation)
    return SignedIn(found_id, display_name, Role(role))


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
