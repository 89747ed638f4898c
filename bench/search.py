"""How fast search answers on a big board: distinct queries, one at a time, over HTTP.

    .venv/bin/python bench/search.py [--ideas 100000] [--queries 400]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

Serves the board (bench/.data/board-N.sqlite, seeded once, or the database given, seeded
if it has no ideas) with gunicorn, then asks `/search?q=` (a visitor's page) and
`/api/v1/ideas?q=` for each of the queries, one request at a time on one keep-alive
connection, each query once (so no cache answers it), and prints p50, p99 and the
slowest, in milliseconds, with the queries that took longest. Queries are one to three
words from the board's own text (whole words and prefixes, some rare, some in thousands of
ideas), plus a few that match nothing; the same every run (seeded).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ideaboard, for its text

import boards
import serve

ROOT = Path(__file__).resolve().parent.parent
TARGET_P99_MS = 20.0
PATHS = {"visitor /search?q=": "/search?q={}", "visitor /api/v1/ideas?q=": "/api/v1/ideas?q={}"}


def vocabulary() -> list[str]:
    """Words of four letters or more from the demo text the seeded board is made of."""
    from ideaboard.demo import CATEGORY_COMMENTS, GENERIC_COMMENTS, IDEAS

    text = " ".join([*(f"{i.title} {i.body}" for i in IDEAS), *GENERIC_COMMENTS,
                     *(c for group in CATEGORY_COMMENTS.values() for c in group)])
    return sorted({w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)})


def queries(count: int, seed: int = 7) -> list[str]:
    """`count` distinct queries: 1 to 3 words, a third of them cut to a prefix, and one in
    twenty a word the board does not have."""
    rng, words, made = random.Random(seed), vocabulary(), set()
    while len(made) < count:
        picked = [rng.choice(words) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        if rng.random() < 1 / 3:
            picked[-1] = picked[-1][:rng.randint(4, max(4, len(picked[-1]) - 1))]
        if rng.random() < 0.05:
            picked.append(f"zyx{rng.randint(0, 999)}")
        made.add(" ".join(picked))
    return sorted(made)


def timings(base: str, template: str, asked: list[str]) -> list[tuple[float, str]]:
    """(milliseconds, query) for each query, one request at a time; every answer a 200."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    measured = []
    for query in asked:
        path = template.format(urllib.parse.quote_plus(query))
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        measured.append((elapsed, query))
    connection.close()
    return measured


def summary(measured: list[tuple[float, str]]) -> dict:
    ms = sorted(m for m, _ in measured)
    return {"requests": len(ms), "p50_ms": statistics.median(ms),
            "p99_ms": ms[min(len(ms) - 1, round(0.99 * len(ms)) - 1)], "max_ms": ms[-1],
            "slowest": [q for _, q in sorted(measured, reverse=True)[:5]]}


def board_url(args: argparse.Namespace) -> str:
    if args.database_url:
        if boards.run_sql(args.database_url, "SELECT count(*) FROM information_schema.tables"
                          " WHERE table_name = 'ideas'")[0][0][0] == 0 or boards.run_sql(
                args.database_url, "SELECT count(*) FROM ideas")[0][0][0] == 0:
            boards.seeded_postgresql(args.database_url, args.ideas)
        else:
            boards.flask(args.database_url, "init-db", quiet=True)
        return args.database_url
    return boards.sqlite_url(boards.seeded_sqlite(args.ideas, reseed=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = board_url(args)
    asked = queries(args.queries)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": boards.SECRET_KEY}
    results = {"database": boards.kind(url), "ideas": args.ideas, "queries": len(asked),
               "target_p99_ms": TARGET_P99_MS, "targets": {}}
    with serve.serve("search", "wsgi:app", ROOT, env, args.workers,
                     boards.DATA / "logs") as server:
        timings(server.url, "/search?q={}", ["warm up", "chat"])  # connections, templates
        for name, template in PATHS.items():
            results["targets"][name] = summary(timings(server.url, template, asked))
    for name, figures in results["targets"].items():
        verdict = "met" if figures["p99_ms"] < TARGET_P99_MS else "MISSED"
        print(f"{results['database']}, {args.ideas:,} ideas, {name}: {figures['requests']} "
              f"queries, p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
              f"max {figures['max_ms']:.1f} ms (target p99 < {TARGET_P99_MS:.0f} ms: "
              f"{verdict}); slowest: {', '.join(figures['slowest'][:3])}")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
