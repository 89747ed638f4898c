"""Rendered pages, cached per worker and judged by the board's generations, with the
personal parts punched out.

Templates never print anything personal directly on the pages that are cached: they print
markers (the CSRF token, the account menu, flash messages, whether this member pressed each
vote button and, for members, each idea's vote count), and `personalize` fills them in for
the person asking, on every HTML response. So one rendering of a page serves every visitor,
and every member, until the next change to the board, or for up to a second after a vote
(see services/freshness.py); members get the counts as they are now, so the member who voted
sees their vote at once. A TTL bounds what a crash between a commit and its generation bump
could leave behind.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, Protocol, TypeVar

from flask import Response, g, get_flashed_messages, render_template, request, session
from flask_login import current_user
from markupsafe import Markup, escape

from ideaboard.sanitize import PAGE_MARK
from ideaboard.services import accounts, votes
from ideaboard.services.freshness import Generation, current_generation, still_fresh
from ideaboard.sessions import csrf_token

MARK = PAGE_MARK
# Pages are kept as UTF-8 bytes split at the markers: what the response sends, at half the
# memory of a str holding non-Latin-1 text, with no decoding or searching per request.
_MARK_BYTES = MARK.encode()


def marker(kind: str, number: int | str = "") -> Markup:
    """A hole in a cached page: T token, N account menu, F flashes, P<id> pressed, I<id> intent,
    C<id>:<count> a vote count (as rendered, unless the member's view has a newer one),
    M the member's name, A<idea id>-<author id> the author's own controls for an idea,
    O<comment id>-<author id>-<editable until, Unix time> those for a comment, W<idea id> the
    member's Follow or Unfollow button, K and H what a member who must confirm their address
    before commenting sees instead of the comment form."""
    return Markup(f"{MARK}{kind}{number}{MARK}")


@dataclass(frozen=True)
class CachedPage:
    parts: tuple[bytes, ...]  # static text at even positions, marker codes at odd ones
    idea_ids: tuple[int, ...]
    generation: Generation  # the board's, read before the page was rendered
    stored_at: float  # time.monotonic() before the page was rendered
    shows_threads: bool  # comments themselves, not only their counts: freshness.still_fresh
    follow_buttons: bool = False  # W markers: the member's follows are asked for too
    confirm_first: bool = False  # K markers: whether the member may comment yet

    @classmethod
    def of(cls, body: str, idea_ids: Iterable[int], generation: Generation,
           rendered_at: float, shows_threads: bool = False) -> CachedPage:
        parts = tuple(body.encode().split(_MARK_BYTES))
        codes = parts[1::2]
        return cls(parts, tuple(idea_ids), generation, rendered_at, shows_threads,
                   follow_buttons=any(code[:1] == b"W" for code in codes),
                   confirm_first=b"K" in codes)

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)


class Entry(Protocol):
    @property
    def size(self) -> int: ...

    generation: Generation
    stored_at: float
    shows_threads: bool


E = TypeVar("E", bound=Entry)


class PageCache(Generic[E]):
    """An LRU of rendered pages for this process, bounded in bytes; thread-safe. An entry
    is stale once the board changed but for votes, a second after votes changed
    (freshness.still_fresh), or after `ttl` seconds (relative dates such as "3 days ago"
    age)."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024, ttl: float = 300.0) -> None:
        self.max_bytes, self.ttl = max_bytes, ttl
        self.size = 0
        self._pages: OrderedDict[tuple, E] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, generation: Generation) -> E | None:
        now = time.monotonic()
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if (not still_fresh(page.generation, page.stored_at, generation, now,
                                page.shows_threads)
                    or now - page.stored_at > self.ttl):
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: E) -> None:
        if page.size > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self.size += page.size
            while self.size > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: tuple) -> None:
        self.size -= self._pages.pop(key).size

    def __len__(self) -> int:
        return len(self._pages)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0


pages: PageCache[CachedPage] = PageCache()


# The page's (generation, stored_at, shows_threads), for visitor_cache.
SHAREABLE_PAGE = "ideaboard.shareable_page"


def viewer_variant() -> str:
    return "member" if current_user.is_authenticated else "visitor"


def _etag(page: CachedPage, current: Generation) -> str:
    """What the response shows: the page as rendered and, for a member, the votes as now
    (and what they follow, where the page has Follow buttons)."""
    kept = f"g{page.generation.content}.{page.generation.votes}"
    if page.shows_threads:
        kept += f".{page.generation.comments}"
    if not current_user.is_authenticated:
        return kept
    member = f"{kept}-v{current.votes}-u{current_user.id}"
    if page.follow_buttons:
        member += "-f" + ".".join(map(str, sorted(g.member_view.following)))
    if page.confirm_first:  # the page changes once they confirm their address
        member += "-c" if accounts.must_confirm_before_posting(current_user) else "-p"
    return member


def cached_page(key: Iterable, render: Callable[[], tuple[str, Iterable[int]]],
                mimetype: str = "text/html", shows_threads: bool = False) -> Response:
    """Serve `render()`'s page (body, idea ids on it) from the cache while it is fresh
    (freshness.still_fresh: a page that `shows_threads` goes stale with any comment);
    answers 304 to a browser that already has it."""
    member = current_user.is_authenticated  # first: a member's load reads the generation too
    generation = current_generation()
    # The host too: the feed prints absolute links, and Host is whatever the client sent.
    full_key = (request.endpoint, viewer_variant(), request.scheme, request.host,
                request.root_path, *key)
    page = pages.get(full_key, generation)
    if page is None:
        rendered_at = time.monotonic()
        page = CachedPage.of(*render(), generation, rendered_at, shows_threads)
        pages.put(full_key, page)
    if not member:
        request.environ[SHAREABLE_PAGE] = (page.generation, page.stored_at,
                                            page.shows_threads)
    if member and page.follow_buttons:  # what they follow is part of the ETag
        g.member_view = votes.member_view(current_user.id, list(page.idea_ids), follows=True)
    etag = _etag(page, generation)
    if request.if_none_match.contains_weak(etag) and not session.get("_flashes"):
        response = Response(status=304)
        response.set_etag(etag, weak=True)
        return response
    if member and page.idea_ids and not page.follow_buttons:
        g.member_view = votes.member_view(current_user.id, list(page.idea_ids))
    response = FilledPage(fill(page.parts), mimetype=mimetype)
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


@lru_cache(maxsize=1024)
def _account_nav(user_id: int, display_name: str, role: str, suspended: bool,
                 path: str) -> bytes:
    """The signed-in member's menu, its token left as a marker; the same for every request
    with these values, so rendered once (the arguments are the cache key)."""
    return render_template("_partials/account_nav.html").encode()


def _fill_once(code: bytes) -> bytes:
    if code == b"T":
        return csrf_token().encode()
    if code == b"N" and not current_user.is_authenticated:
        return render_template("_partials/account_nav.html").encode()
    if code == b"N":
        nav = _account_nav(current_user.id, current_user.display_name,
                           current_user.role.value, current_user.is_suspended,
                           request.full_path)
        return nav.replace(_MARK_BYTES + b"T" + _MARK_BYTES, csrf_token().encode())
    if code == b"M":
        return escape(current_user.display_name).encode() if current_user.is_authenticated else b""
    if code[:1] == b"A":
        return _author_actions(code[1:])
    if code in (b"K", b"H"):
        return _confirm_first(code)
    if code == b"F":
        messages = get_flashed_messages(with_categories=True)
        if messages:
            return render_template("_partials/flashes.html", messages=messages).encode()
        return b""
    return b""  # not a marker of ours (typed text echoed back in a form): drop it


def _confirm_first(code: bytes) -> bytes:
    """On a board that asks members to confirm their address before they post (the page
    has these markers only then): K the notice, H the attribute hiding the comment form,
    for a member who has not confirmed yet."""
    if not current_user.is_authenticated or not accounts.must_confirm_before_posting(
            current_user):
        return b""
    if code == b"H":
        return b" hidden"
    return render_template("ideas/_confirm_first.html").encode()


def _author_actions(ids: bytes) -> bytes:
    """Edit and withdraw, for the idea's author only."""
    idea_id, _, author_id = ids.decode().partition("-")
    if not current_user.is_authenticated or str(current_user.id) != author_id:
        return b""
    actions = render_template("ideas/_author_actions.html", idea_id=int(idea_id)).encode()
    return actions.replace(_MARK_BYTES + b"T" + _MARK_BYTES, csrf_token().encode())


def _comment_actions(ids: bytes) -> bytes:
    """Edit (while it may still be edited) and delete, for the comment's author only."""
    comment_id, author_id, editable_until = [*ids.decode().split("-"), "", ""][:3]
    if (not current_user.is_authenticated or str(current_user.id) != author_id
            or not comment_id.isdigit()):
        return b""
    editable = editable_until.isdigit() and time.time() < int(editable_until)
    return render_template("ideas/_comment_actions.html", comment_id=int(comment_id),
                           editable=editable).encode()


def _follow_button(idea_id: bytes, following: frozenset[int]) -> bytes:
    """Follow or Unfollow, as the member's view has it."""
    if not current_user.is_authenticated or not idea_id.isdigit():
        return b""
    button = render_template("ideas/_follow_button.html", idea_id=int(idea_id),
                             following=int(idea_id) in following).encode()
    return button.replace(_MARK_BYTES + b"T" + _MARK_BYTES, csrf_token().encode())


def fill(parts: Sequence[bytes]) -> bytes:
    """Join a page split at its markers, each hole filled for the person asking: P<id> is
    whether their button is pressed, I<id> what pressing it would do, C<id>:<count> the
    idea's vote count as the member's view has it now (else as rendered)."""
    if len(parts) == 1:
        return parts[0]
    view = g.get("member_view")
    voted = view.voted if view else ()
    counts = view.counts if view else {}
    pressed = {b"P%d" % idea_id for idea_id in voted}
    undoable = {b"I%d" % idea_id for idea_id in voted}
    # O<comment>-<author>-<until>: only the author's own comments get controls.
    own = b"-%d-" % current_user.id if current_user.is_authenticated else None
    once: dict[bytes, bytes] = {}
    filled = list(parts)
    for i in range(1, len(filled), 2):
        code = filled[i]
        if code[:1] == b"O":
            filled[i] = _comment_actions(code[1:]) if own and own in code else b""
        elif code[:1] == b"P":
            filled[i] = b"true" if code in pressed else b"false"
        elif code[:1] == b"I":
            filled[i] = b"unvote" if code in undoable else b"vote"
        elif code[:1] == b"C":
            filled[i] = _count(code, counts)
        elif code[:1] == b"W":
            filled[i] = _follow_button(code[1:], view.following if view else frozenset())
        else:
            if code not in once:
                once[code] = _fill_once(code)
            filled[i] = once[code]
    return b"".join(filled)


def _count(code: bytes, counts: dict[int, int]) -> bytes:
    idea_id, _, rendered = code[1:].partition(b":")
    now = counts.get(int(idea_id)) if idea_id.isdigit() else None
    return b"%d" % now if now is not None else rendered if rendered.isdigit() else b""


class FilledPage(Response):
    """A cached page already filled for the person asking: `personalize` passes it by."""


def personalize(response: Response) -> Response:
    """Fill the markers of an HTML response for the person asking."""
    if (isinstance(response, FilledPage) or response.mimetype != "text/html"
            or response.direct_passthrough):
        return response
    body = response.get_data()
    if _MARK_BYTES in body:
        response.set_data(fill(body.split(_MARK_BYTES)))
    return response
