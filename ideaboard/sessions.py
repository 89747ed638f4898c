"""Flask's signed-cookie session, remembering per worker the cookies it has verified and
the CSRF tokens it has signed.

A member sends the same session cookie with every request until the session changes, and
checking its signature and decoding it was a fifth of the framework's cost of a vote. A
cookie already verified is decoded from memory, found by its exact value, so an altered or
forged cookie is never found there; its age is checked against the session lifetime from
the time it was signed, as itsdangerous does.

Likewise every page with a form carries the session's CSRF token signed (flask-wtf signs
it afresh on every request), which was a tenth of a member's cached page: `csrf_token`
hands out again, for up to a minute, the signed token this worker made for the same
session token.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

_SCALARS = (str, int, float, bool, type(None))


class Memo:
    """The most recently used `size` values by key, shared by a worker's threads."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            if len(self._values) > self._size:
                self._values.popitem(last=False)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._values


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self, size: int = 4096) -> None:
        self._verified = Memo(size)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        remembered = self._recall(cookie)
        if remembered is not None and 0 <= time.time() - remembered[1] <= max_age:
            return self.session_class(remembered[0])
        try:
            data, signed_at = self.get_signing_serializer(app).loads(
                cookie, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, _SCALARS) for value in data.values()):
            # Only flat values: a fresh dict per request then shares nothing mutable.
            self._remember(cookie, dict(data), signed_at.timestamp())
        return self.session_class(data)

    def _recall(self, cookie: str) -> tuple[dict, float] | None:
        remembered = self._verified.get(cookie)
        if remembered is None:
            return None
        return dict(remembered[0]), remembered[1]

    def _remember(self, cookie: str, data: dict, signed_at: float) -> None:
        self._verified.put(cookie, (data, signed_at))


# A token signed this long ago is handed out again: it is as valid as a fresh one (its
# signing time only matters under WTF_CSRF_TIME_LIMIT, which this bounds the loss of).
CSRF_TOKEN_REUSE_SECONDS = 60
_signed_tokens = Memo()


def csrf_token() -> str:
    """flask-wtf's signed CSRF token for this session, or the one this worker signed for the
    same session token in the last minute."""
    raw = session.get("csrf_token")
    remembered = _signed_tokens.get(raw) if raw else None
    if remembered is not None and time.time() - remembered[1] < CSRF_TOKEN_REUSE_SECONDS:
        return remembered[0]
    token = generate_csrf()
    _signed_tokens.put(session["csrf_token"], (token, time.time()))
    return token
