"""Rendered pages, cached per worker and keyed by the board's generation, with the personal
parts punched out.

Templates never print anything personal directly on the pages that are cached: they print
markers (the CSRF token, the account menu, flash messages, whether this member pressed each
vote button), and `personalize` fills them in for the person asking, on every HTML response.
So one rendering of a page serves every visitor, and every member, until the next change
to the board (see services/freshness.py); a TTL bounds what a crash between a commit and its
generation bump could leave behind.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Response, g, get_flashed_messages, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ideaboard.sanitize import PAGE_MARK
from ideaboard.services import votes
from ideaboard.services.freshness import current_generation

MARK = PAGE_MARK
_MARK_BYTES = MARK.encode()
# Pages are kept and filled in as UTF-8 bytes: what the response sends, at half the memory
# of a str holding non-Latin-1 text, and with no decoding per request.
_MARKER = re.compile(_MARK_BYTES + rb"([A-Z])(\d*)" + _MARK_BYTES)


def marker(kind: str, number: int | str = "") -> Markup:
    """A hole in a cached page: T token, N account menu, F flashes, P<id> pressed, I<id> intent."""
    return Markup(f"{MARK}{kind}{number}{MARK}")


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    idea_ids: tuple[int, ...]
    generation: int
    stored_at: float


class PageCache:
    """An LRU of rendered pages for this process, bounded in bytes; thread-safe."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024, ttl: float = 300.0) -> None:
        self.max_bytes, self.ttl = max_bytes, ttl
        self.size = 0
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, generation: int) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.generation != generation or time.monotonic() - page.stored_at > self.ttl:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        if len(page.body) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: tuple) -> None:
        self.size -= len(self._pages.pop(key).body)

    def __len__(self) -> int:
        return len(self._pages)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0


pages = PageCache()


def viewer_variant() -> str:
    return "member" if current_user.is_authenticated else "visitor"


def _etag(generation: int) -> str:
    viewer = current_user.get_id() if current_user.is_authenticated else "0"
    return f"g{generation}-u{viewer}"


def cached_page(key: Iterable, render: Callable[[], tuple[str, Iterable[int]]],
                mimetype: str = "text/html") -> Response:
    """Serve `render()`'s page (body, idea ids on it) from the cache while the board is
    unchanged; answers 304 to a browser that already has this generation."""
    generation = current_generation()
    etag = _etag(generation)
    if request.if_none_match.contains_weak(etag) and not session.get("_flashes"):
        response = Response(status=304)
        response.set_etag(etag, weak=True)
        return response
    full_key = (request.endpoint, viewer_variant(), *key)
    page = pages.get(full_key, generation)
    if page is None:
        body, idea_ids = render()
        page = CachedPage(body.encode(), tuple(idea_ids), generation, time.monotonic())
        pages.put(full_key, page)
    if current_user.is_authenticated and page.idea_ids:
        g.voted_ids = votes.voted_idea_ids(current_user.id, list(page.idea_ids))
    response = Response(page.body, mimetype=mimetype)
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def _fill(match: re.Match, voted: set[int], state: dict) -> bytes:
    return _fill_text(match.group(1).decode(), match.group(2), voted, state).encode()


def _fill_text(kind: str, number: bytes, voted: set[int], state: dict) -> str:
    if kind == "T":
        if "token" not in state:
            state["token"] = generate_csrf()
        return state["token"]
    if kind == "N":
        return render_template("_partials/account_nav.html")
    if kind == "F":
        messages = get_flashed_messages(with_categories=True)
        return render_template("_partials/flashes.html", messages=messages) if messages else ""
    pressed = int(number) in voted
    if kind == "P":
        return "true" if pressed else "false"
    return "unvote" if pressed else "vote"  # "I": what pressing the button would do


def personalize(response: Response) -> Response:
    """Fill the markers of an HTML response for the person asking."""
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    body = response.get_data()
    if _MARK_BYTES not in body:
        return response
    voted = g.get("voted_ids", set())
    state: dict = {}
    response.set_data(_MARKER.sub(lambda m: _fill(m, voted, state), body))
    return response
