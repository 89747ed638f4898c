"""Profile one page in-process with pyinstrument: where a request's time goes.

    .venv/bin/python bench/profile.py "/?sort=top" [--member] [--uncached] [--requests 500]
        [--database-url sqlite:///bench/.data/board-100000.sqlite]

Requests go straight to the WSGI app (no server, no network), so the profile is the app's
own cost; --member signs in a seeded member first (seed-1@example.org); --uncached empties
the page caches before every request, so each one renders the page afresh.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = f"sqlite:///{ROOT / 'bench' / '.data' / 'board-100000.sqlite'}"


def signed_in_cookie(app) -> str:
    """Log the first seeded member in through the form; the session cookie to send."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "email": "seed-1@example.org",
                                "password": "seed-password"})
    return "session=" + client.get_cookie("session").value


def _uncached(app, client, path: str):
    """GET `path` with every page cache emptied first: a fresh render."""
    from ideaboard.pagecache import pages

    pages.clear()
    _visitor_cache(app).responses.clear()
    return client.get(path)


def _visitor_cache(app):
    """The VisitorCache among the app's WSGI middleware."""
    from ideaboard.visitor_cache import VisitorCache

    layer = app.wsgi_app
    while not isinstance(layer, VisitorCache):
        layer = layer._wsgi_app
    return layer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--member", action="store_true")
    parser.add_argument("--uncached", action="store_true")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    args = parser.parse_args()
    os.environ.update(SECRET_KEY="profile", DATABASE_URL=args.database_url)
    sys.path.insert(0, str(ROOT))
    from pyinstrument import Profiler

    from ideaboard import create_app

    app = create_app(with_cli=False)
    client = app.test_client()
    if args.member:
        client.set_cookie("session", signed_in_cookie(app).split("=", 1)[1])
    get = (lambda: _uncached(app, client, args.path)) if args.uncached else (
        lambda: client.get(args.path))
    for _ in range(50):  # warm: imports, connections, templates, the page cache
        get()
    batches = [_cpu_ms_per_request(get, max(1, args.requests // 5)) for _ in range(5)]
    with Profiler(interval=0.0002) as profiler:
        for _ in range(args.requests):
            get()
    print(profiler.output_text(unicode=True, color=False))
    print(f"{statistics.median(batches):.2f} ms of CPU per request (median of 5 batches "
          f"without the profiler, which doubles it; the test client adds ~0.2 ms)")


def _cpu_ms_per_request(get, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        get()
    return (time.process_time() - started) / requests * 1000


if __name__ == "__main__":
    main()
