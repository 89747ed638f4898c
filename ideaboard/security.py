"""Response headers that keep browsers strict (no inline script, no framing, no sniffing),
and HTTPS: Secure cookies and Strict-Transport-Security whenever the board is reached over
it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000"  # a year; no includeSubDomains: not ours to say


_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def _add_headers(response: Response) -> Response:
    # All four at once, unless a view set its own policy: one look through the few headers
    # instead of four setdefault calls (werkzeug finds a missing header by raising KeyError).
    if not any(name.lower() == "content-security-policy" for name, _ in response.headers):
        response.headers.extend(_HEADERS)
    return response


def register(app: Flask) -> None:
    app.after_request(_add_headers)


def reached_over_https(environ: dict, always: bool = False) -> bool:
    """Whether this request came over HTTPS: `always` (the HTTPS setting), the scheme
    (ProxyFix sets it from a trusted proxy), or a proxy's X-Forwarded-Proto. The header is
    believed even without ProxyFix, as all it can do is mark this client's own cookies
    Secure; browsers ignore Strict-Transport-Security sent over plain HTTP."""
    if always or environ.get("wsgi.url_scheme") == "https":
        return True
    forwarded = environ.get("HTTP_X_FORWARDED_PROTO", "")
    return forwarded.split(",")[0].strip().lower() == "https"


class HttpsOnly:
    """WSGI middleware: over HTTPS every cookie is sent Secure (the session's, Flask-Login's
    remember cookie and any later one, whoever sets it) and Strict-Transport-Security is
    added, on cached responses too."""

    def __init__(self, wsgi_app: Callable, always: bool = False) -> None:
        self._wsgi_app = wsgi_app
        self._always = always

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not reached_over_https(environ, self._always):
            return self._wsgi_app(environ, start_response)

        def start_secure(status: str, headers: list[tuple[str, str]], exc_info=None):
            secured = [(name, _secure_cookie(value) if name.lower() == "set-cookie" else value)
                       for name, value in headers]
            if not any(name.lower() == "strict-transport-security" for name, _ in secured):
                secured.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
            return start_response(status, secured, exc_info)

        return self._wsgi_app(environ, start_secure)


def _secure_cookie(value: str) -> str:
    attributes = {part.strip().lower() for part in value.split(";")[1:]}
    return value if "secure" in attributes else value + "; Secure"
