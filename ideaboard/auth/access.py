"""Who may do what: the decorators and helpers every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required

from ideaboard.extensions import db
from ideaboard.models import User


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


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
    """`target` if it is a path on this site (no scheme, no host), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target
