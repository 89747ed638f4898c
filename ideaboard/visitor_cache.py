"""Whole responses for visitors who send no cookie, served in front of Flask.

A visitor without a cookie (or API token) has no session, no account and no flash messages,
so a page cached by `pagecache.cached_page` comes out byte for byte the same for all of them. The
first such response is kept here as sent (status, headers, body), with the generations of
the page it carries, and the next cookie-less GET of the same URL is answered from it while
it is as fresh as that page would be (freshness.still_fresh), after one read of the
generations, without Flask's request handling, the session or Flask-Login. (Discourse's
"anonymous cache" does the same for logged-out readers.) A request that goes on to Flask
takes that read with it, so the page cache does not read the generation again.

A response is kept only when the view marked it shareable (`pagecache.cached_page` does
for visitors), it is a
200 and it sets no cookie: a page that hands out a CSRF token (an idea's comment form) starts
a session, so it never lands here. The key is the whole URL (scheme, host, path, query), as
the Atom feed prints absolute links; this middleware sits inside ProxyFix, so the host and
scheme are the corrected ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask
from werkzeug.http import parse_etags

from ideaboard.database import unavailable_errors
from ideaboard.extensions import db
from ideaboard.pagecache import SHAREABLE_PAGE, PageCache
from ideaboard.services.freshness import Generation, generation_reader, note_generation


@dataclass(frozen=True)
class SharedResponse:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    generation: Generation  # the page's, and when it was rendered: pagecache.CachedPage
    stored_at: float
    shows_threads: bool

    @property
    def size(self) -> int:
        return len(self.body)


class VisitorCache:
    """WSGI middleware around Flask's wsgi_app (installed by the factory)."""

    def __init__(self, app: Flask, wsgi_app: Callable, max_bytes: int = 4 * 1024 * 1024) -> None:
        self._app = app
        self._wsgi_app = wsgi_app
        self.responses = PageCache(max_bytes=max_bytes)
        self._read_generation: Callable[[], Generation] | None = None
        self._unavailable: tuple[type[Exception], ...] = ()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (environ["REQUEST_METHOD"] != "GET" or "HTTP_COOKIE" in environ
                or "HTTP_AUTHORIZATION" in environ):  # an API token's caller is a member
            return self._wsgi_app(environ, start_response)
        key = _url_of(environ)
        try:
            generation = self._generation()
        except self._unavailable:  # Flask answers: /healthz, or a friendly 503
            return self._wsgi_app(environ, start_response)
        note_generation(generation, environ)  # the page cache behind us needs it too
        shared = self.responses.get(key, generation)
        if shared is not None:
            return _send(shared, environ, start_response)
        return self._pass_on(key, environ, start_response)

    def _generation(self) -> Generation:
        if self._read_generation is None:
            with self._app.app_context():
                self._unavailable = unavailable_errors(db.engine)
                self._read_generation = generation_reader()
        return self._read_generation()

    def _pass_on(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        sent: list = []

        def keep_and_start(status: str, headers: list, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self._wsgi_app(environ, keep_and_start)
        shareable = environ.get(SHAREABLE_PAGE)
        if shareable is None or not sent or not sent[0].startswith("200 "):
            return body
        status, headers = sent
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body
        chunks = list(body)
        if hasattr(body, "close"):
            body.close()
        etag = next((value for name, value in headers if name.lower() == "etag"), "")
        self.responses.put(key, SharedResponse(status, list(headers), b"".join(chunks), etag,
                                               *shareable))
        return chunks


def _url_of(environ: dict) -> tuple[str, ...]:
    return (
        environ["wsgi.url_scheme"],
        environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}",
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )


def _send(shared: SharedResponse, environ: dict, start_response: Callable) -> list[bytes]:
    if shared.etag and "HTTP_IF_NONE_MATCH" in environ:
        wanted = parse_etags(environ["HTTP_IF_NONE_MATCH"])
        if wanted.contains_weak(shared.etag.removeprefix("W/").strip('"')):
            start_response("304 Not Modified", [
                (name, value) for name, value in shared.headers
                if name.lower() not in ("content-type", "content-length")
            ])
            return []
    start_response(shared.status, list(shared.headers))
    return [shared.body]
