"""Flask's signed-cookie session, remembering per worker the cookies it has verified.

A member sends the same session cookie with every request until the session changes, and
checking its signature and decoding it was a fifth of the framework's cost of a vote. A
cookie already verified is decoded from memory, found by its exact value, so an altered or
forged cookie is never found there; its age is checked against the session lifetime from
the time it was signed, as itsdangerous does.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

_SCALARS = (str, int, float, bool, type(None))


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._verified: OrderedDict[str, tuple[dict, float]] = OrderedDict()
        self._lock = threading.Lock()

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
        with self._lock:
            remembered = self._verified.get(cookie)
            if remembered is None:
                return None
            self._verified.move_to_end(cookie)
        return dict(remembered[0]), remembered[1]

    def _remember(self, cookie: str, data: dict, signed_at: float) -> None:
        with self._lock:
            self._verified[cookie] = (data, signed_at)
            if len(self._verified) > self._size:
                self._verified.popitem(last=False)
