"""What each cache layer of the hot path buys: CPU per request in-process, with every layer
on, then with each one turned off in turn (docs/performance.md keeps the figures).

    .venv/bin/python bench/layers.py [--database-url sqlite:///bench/.data/board-100000.sqlite]

Each figure is the median of 5 batches of 200 requests through the WSGI app (no server, no
network; the test client adds ~0.2 ms), on a board that does not change meanwhile.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite:///{ROOT / 'bench' / '.data' / 'board-100000.sqlite'}"
BATCHES, PER_BATCH = 5, 200


def cpu_ms(request: Callable[[], object]) -> float:
    """Median CPU per request over BATCHES batches, after a warm-up."""
    for _ in range(50):
        request()
    batches = []
    for _ in range(BATCHES):
        started = time.process_time()
        for _ in range(PER_BATCH):
            request()
        batches.append((time.process_time() - started) / PER_BATCH * 1000)
    return statistics.median(batches)


@contextmanager
def without(app, layer: str) -> Iterator[None]:
    """The app with one cache layer turned off for the duration."""
    from profile import _visitor_cache

    from flask.sessions import SecureCookieSessionInterface

    from ideaboard import pagecache, sessions

    if layer == "page cache":
        saved = pagecache.pages.max_bytes
        pagecache.pages.max_bytes = 0  # keeps nothing (a page over a quarter is not kept)
        pagecache.pages.clear()
        try:
            yield
        finally:
            pagecache.pages.max_bytes = saved
    elif layer == "visitor cache":
        responses = _visitor_cache(app).responses
        saved, responses.max_bytes = responses.max_bytes, 0
        responses.clear()
        try:
            yield
        finally:
            responses.max_bytes = saved
    elif layer == "remembered session cookies":
        saved = app.session_interface
        app.session_interface = SecureCookieSessionInterface()
        try:
            yield
        finally:
            app.session_interface = saved
    elif layer == "CSRF token reuse":
        saved, sessions.CSRF_TOKEN_REUSE_SECONDS = sessions.CSRF_TOKEN_REUSE_SECONDS, 0
        try:
            yield
        finally:
            sessions.CSRF_TOKEN_REUSE_SECONDS = saved
    else:
        raise ValueError(layer)


LAYERS = ("page cache", "visitor cache", "remembered session cookies", "CSRF token reuse")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    args = parser.parse_args()
    os.environ.update(SECRET_KEY="layers", DATABASE_URL=args.database_url)
    for name in ("SIGNUP", "LOGIN", "LOGIN_ACCOUNT", "IDEA", "COMMENT", "MEMBER_COMMENT",
                 "VOTE"):
        os.environ[f"IDEABOARD_{name}_RATE_LIMIT"] = "1000000 per minute"
    sys.path.insert(0, str(ROOT))
    from profile import signed_in_cookie

    from ideaboard import create_app

    app = create_app(with_cli=False)
    member = app.test_client()
    member.set_cookie("session", signed_in_cookie(app).split("=", 1)[1])
    idea = re.search(r'href="(/ideas/\d+-[^"#]+)"', member.get("/?sort=top").get_data(True))
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      member.get("/").get_data(as_text=True)).group(1)
    vote_path = idea.group(1).split("-")[0] + "/vote"
    flips = iter(range(10**9))
    reads = {
        "visitor Top (no cookie)": lambda: app.test_client().get("/?sort=top"),
        "member Top": lambda: member.get("/?sort=top"),
        "member idea page (most voted)": lambda: member.get(idea.group(1)),
        "member vote toggle": lambda: member.post(
            vote_path, data={"intent": ("vote", "unvote")[next(flips) % 2]},
            headers={"Accept": "application/json", "X-CSRFToken": token}),
    }
    print(f"{'request':32} {'all layers':>11} " + " ".join(f"{'no ' + n:>28}" for n in LAYERS))
    for name, request in reads.items():
        cells = [f"{cpu_ms(request):9.2f} ms"]
        for layer in LAYERS:
            with without(app, layer):
                cells.append(f"{cpu_ms(request):25.2f} ms")
        print(f"{name:32} " + " ".join(cells))


if __name__ == "__main__":
    main()
