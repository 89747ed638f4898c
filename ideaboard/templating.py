"""Jinja filters and globals: dates, stored HTML, the current user's powers."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from functools import lru_cache

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup

from ideaboard.auth.access import is_caretaker
from ideaboard.models import Status
from ideaboard.pagecache import marker
from ideaboard.sanitize import stored_html
from ideaboard.services import settings
from ideaboard.services.categories import slugify

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400),
          ("day", 86400), ("hour", 3600), ("minute", 60))


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    """'3 days ago', 'just now': how long ago, in the largest whole unit."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    for name, size in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {name}{'s' if count != 1 else ''} ago"
    return "just now"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def full_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC")


def when(moment: datetime) -> Markup:
    """`<time>` with the ISO moment, the full date as its title and how long ago as its
    text: one call per date, as a long thread has hundreds (none of the three needs
    escaping)."""
    d = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    # As iso() and full_date() write them, at a third of the cost of isoformat and strftime.
    return Markup(
        f'<time datetime="{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:'
        f'{d.second:02d}+00:00" title="{d.day:02d} {_MONTHS[d.month - 1]} {d.year}, '
        f'{d.hour:02d}:{d.minute:02d} UTC">{time_ago(d)}</time>')


_HOLE = 987654321987  # an id no row has: marks where a route's id goes in its URL


def url_around_id(endpoint: str) -> tuple[str, str]:
    """The URL of a route with one integer argument, split where the id goes: one url_for
    per request and route instead of one per row (a list builds three per idea)."""
    routes = g.setdefault("routes_around_id", {})
    if endpoint not in routes:
        [name] = next(rule.arguments for rule in current_app.url_map.iter_rules(endpoint)
                      if len(rule.arguments) == 1)
        before, _hole, after = url_for(endpoint, **{name: _HOLE}).partition(str(_HOLE))
        routes[endpoint] = (before, after)
    return routes[endpoint]


def url_for_id(endpoint: str, id_: int) -> str:
    """url_for(endpoint, <its one argument>=id_), as a list calls it for every row."""
    before, after = url_around_id(endpoint)
    return f"{before}{int(id_)}{after}"


def idea_url(idea, **values) -> str:
    slug = _slug(idea.title)
    if values:
        return url_for("ideas.show", idea_id=idea.id, slug=slug or None, **values)
    # /ideas/<id>-<slug>; a slug is only [a-z0-9-], so nothing needs quoting.
    return f"{url_for_id('ideas.show', idea.id)}-{slug}" if slug else url_for_id(
        "ideas.show", idea.id)


@lru_cache(maxsize=4096)
def _slug(title: str) -> str:
    return slugify(title)


def category_url(slug: str) -> str:
    """The board filtered to a category (a handful per board: built once a request each)."""
    urls = g.setdefault("category_urls", {})
    if slug not in urls:
        urls[slug] = url_for("board.index", category=slug)
    return urls[slug]


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one). Arguments
    named like url_for's own options (`_external`, `_scheme`...) are not the page's: left
    out."""
    args = {key: value for key, value in request.args.items() if not key.startswith("_")}
    args.update(changes)
    args = {key: value for key, value in args.items() if value not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def audit_state(state: dict | None, limit: int = 200) -> str:
    """An audit entry's before or after, as one line of plain text (escaped by Jinja)."""
    if not state:
        return "—"
    parts = []
    for key, value in state.items():
        shown = "none" if value is None else str(value)
        parts.append(f"{key}: {shown[:limit]}{'…' if len(shown) > limit else ''}")
    return "; ".join(parts)


def chat_time(chat) -> str:
    """When a chat starts, in its own time zone, with UTC beside it."""
    local = chat.starts_at.astimezone(zoneinfo.ZoneInfo(chat.time_zone))
    return (f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {local.tzname()}"
            f" ({chat.starts_at.astimezone(UTC):%H:%M} UTC)")


def here() -> str:
    """The current path and query, for coming back after logging in or voting."""
    return request.full_path.rstrip("?")


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        time_ago=time_ago, iso=iso, full_date=full_date, stored_html=stored_html
    )
    app.jinja_env.globals.update(
        when=when,
        idea_url=idea_url,
        url_for_id=url_for_id,
        category_url=category_url,
        url_with=url_with,
        audit_state=audit_state,
        chat_time=chat_time,
        board_settings=settings.current,
        here=here,
        marker=marker,
        is_caretaker=is_caretaker,
        statuses=list(Status),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
