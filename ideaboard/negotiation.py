"""Which format the client asked for."""

from __future__ import annotations

from functools import lru_cache

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


def wants_json() -> bool:
    """Whether JSON is the client's first choice (a script's vote, an API call)."""
    return _best_of(request.headers.get("Accept", "")) == "application/json"


@lru_cache(maxsize=64)
def _best_of(accept: str) -> str | None:
    # Clients send the same few Accept headers again and again; parsing one and sorting its
    # types by precedence was 4 % of a vote.
    return parse_accept_header(accept, MIMEAccept).best
