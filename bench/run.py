"""Benchmark Ideaboard under gunicorn with wrk: print one table, write the figures as JSON.

    .venv/bin/python bench/run.py [--sizes 1000,10000,100000] [--duration 10] [--repeat 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench] [--only member]

What is measured, and how: docs/performance.md ("How to run the benchmark").
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import boards
import browser
import report
import serve
import storm
import wrk

BENCH = Path(__file__).resolve().parent
LOGS = boards.DATA / "logs"
POST_SCRIPT = BENCH / "post.lua"
RATE_LIMIT = "100000 per minute"  # for every *_RATE_LIMIT of ideaboard/config.py
RATE_LIMITED = ("SIGNUP", "LOGIN", "LOGIN_ACCOUNT", "IDEA", "COMMENT", "MEMBER_COMMENT", "VOTE")
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
WRITE_IDEAS = 1000  # votes and comments go to the 1000 most-voted public ideas
COMMENT_BODY = "Benchmark comment: I would join this chat, and I could help host it."


@dataclass(frozen=True)
class Settings:
    """The options of one benchmark run."""

    sizes: list[int]
    duration: int
    warmup: int
    connections: int
    workers: int
    database_url: str | None
    redis_url: str | None
    reseed: bool
    repeat: int
    only: str | None

    def selected(self, name: str) -> bool:
        """Does --only let this target through (any of its comma-separated parts)?"""
        return self.only is None or any(part.strip().lower() in name.lower()
                                        for part in self.only.split(","))


@dataclass(frozen=True)
class Target:
    """What wrk drives: a path, extra headers, or a Lua script whose data `prepare` writes."""

    path: str
    headers: tuple[str, ...] = ()
    prepare: Callable[[], list[str]] | None = None
    shown: str | None = None  # what the requests are, when the script makes them
    expect: int | None = None  # the one status that is a success (scripted targets)


class Site:
    """A running board, explored the way a browser would (each thing found once)."""

    def __init__(self, base: str, db_url: str, login_base: str) -> None:
        self.base, self.db_url, self.login_base = base, db_url, login_base

    @cached_property
    def member(self) -> browser.Member:
        """The first seeded member, signed in (through the log-in server)."""
        [(user_id, email)] = boards.seed_members(self.db_url, 1)
        return browser.log_in(self.login_base, user_id, email)

    def as_member(self, path: str) -> Target:
        """`path` requested with the member's session cookie."""
        return Target(path, (f"Cookie: {self.member.cookie}",))

    @cached_property
    def api_token(self) -> str:
        """A personal API token of the first seeded member (flask create-token)."""
        [(_user_id, email)] = boards.seed_members(self.db_url, 1)
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "ideaboard", "create-token", email,
             "--name", "bench"],
            env={**os.environ, "DATABASE_URL": self.db_url, "SECRET_KEY": boards.SECRET_KEY},
            capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def with_token(self, path: str) -> Target:
        """`path` requested as a script does, with the member's API token."""
        return Target(path, (f"Authorization: Bearer {self.api_token}",))

    def page(self, sort: str, number: int) -> Target | None:
        """Page `number` of an order, found by following rel="next" links from page 1."""
        path = browser.page_path(self.base, sort, number)
        return Target(path) if path else None

    def idea(self) -> Target | None:
        """The most-voted idea's canonical page (the first idea on /?sort=top)."""
        path = browser.first_idea_path(self.base, "/?sort=top")
        return Target(path) if path else None

    def profile(self) -> Target | None:
        """The profile of the most-voted idea's author."""
        path = browser.first_author_path(self.base, "/?sort=top")
        return Target(path) if path else None

    def idea_as_member(self) -> Target | None:
        """The most-voted idea's page with the member's session cookie."""
        path = browser.first_idea_path(self.base, "/?sort=top")
        return self.as_member(path) if path else None


READS: dict[str, Callable[[Site], Target | None]] = {
    "visitor /?sort=top p1": lambda site: Target("/?sort=top"),
    "visitor /?sort=trending p1": lambda site: Target("/?sort=trending"),
    "visitor /?sort=top p50": lambda site: site.page("top", 50),
    "visitor /?sort=trending p50": lambda site: site.page("trending", 50),
    "visitor idea page (most voted)": lambda site: site.idea(),
    "visitor /feeds/ideas.atom": lambda site: Target("/feeds/ideas.atom"),
    "visitor /api/v1/ideas": lambda site: Target("/api/v1/ideas"),
    "member /?sort=top p1": lambda site: site.as_member("/?sort=top"),
    "member /?sort=trending p1": lambda site: site.as_member("/?sort=trending"),
    "member idea page (most voted)": lambda site: site.idea_as_member(),
    "token holder /api/v1/ideas": lambda site: site.with_token("/api/v1/ideas"),
    "visitor member profile (most voted idea's author)": lambda site: site.profile(),
    "member /account/votes": lambda site: site.as_member("/account/votes"),
    "visitor /roadmap": lambda site: Target("/roadmap"),
    "visitor /decisions": lambda site: Target("/decisions"),
}
# Read while the chat votes (bench/storm.py): alone, then during each of storm.RATES.
STORM_READS = ("visitor /?sort=top p1", "member /?sort=top p1",
               "visitor idea page (most voted)", "member idea page (most voted)")
STORM = "storm"
WRITES = {"member vote toggle": "vote", "member comment post": "comment"}


def log(message: str) -> None:
    """Progress goes to stderr; the figures to stdout."""
    print(message, file=sys.stderr, flush=True)


def server_env(settings: Settings, db_url: str | None) -> dict[str, str]:
    """The environment gunicorn runs with: ours, over whatever the caller's shell has."""
    env = {**os.environ, "SECRET_KEY": boards.SECRET_KEY,
           **{f"IDEABOARD_{name}_RATE_LIMIT": RATE_LIMIT for name in RATE_LIMITED}}
    env.pop("REDIS_URL", None)
    if db_url:
        env["DATABASE_URL"] = db_url
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    return env


def _shown_command(cmd: list[str]) -> list[str]:
    """The wrk command for the results file, without the session cookie or API token."""
    return [("Cookie: <session>" if part.startswith("Cookie:")
             else "Authorization: Bearer <token>" if part.startswith("Authorization:")
             else part) for part in cmd]


def wrk_command(settings: Settings, base: str, target: Target, duration: int) -> list[str]:
    """The wrk command for one run of the target (writing its script's data first)."""
    script_args = target.prepare() if target.prepare else []
    return wrk.command(base + target.path, duration, settings.connections, target.headers,
                       POST_SCRIPT if target.prepare else None, script_args)


def measure(settings: Settings, base: str, name: str, target: Target | None) -> dict | None:
    """Run wrk --repeat times on the target; medians and the runs (None: target n/a)."""
    if target is None:
        log(f"  {name}: n/a")
        return None
    checked = {} if target.prepare else check_target(base, name, target)
    if settings.warmup:  # not recorded: every worker imports, connects, compiles, fills caches
        wrk.run(wrk_command(settings, base, target, settings.warmup))
    runs = []
    for _ in range(settings.repeat):
        cmd = wrk_command(settings, base, target, settings.duration)
        runs.append(wrk.run(cmd, target.expect))
    summary = {"path": target.shown or target.path, "command": _shown_command(cmd),
               **checked, **wrk.summarize(runs)}
    log(f"  {name}: {report.line(summary)}")
    return summary


def check_target(base: str, name: str, target: Target) -> dict:
    """Warn unless the GET answers 200 itself (wrk counts 3xx as success); members signed in."""
    status, body = browser.probe(base, target.path, target.headers)
    checked: dict = {"status": status, "bytes": len(body.encode())}
    if status != 200:
        log(f"  warning: {name} answers {status}, not 200")
    if name.startswith("member"):
        checked["signed_in"] = 'action="/logout"' in body
        if not checked["signed_in"]:
            log(f"  warning: {name} does not show a signed-in page")
    return checked


def post_target(settings: Settings, db_url: str, action: str,
                members: list[browser.Member], ideas: list[int]) -> Target:
    """Members posting `action` ("vote" or "comment") forms through bench/post.lua."""
    def prepare() -> list[str]:
        data: dict = {
            "action": action, "ideas": ideas,
            "body": urllib.parse.quote_plus(COMMENT_BODY), "voted": {},
            "members": [{"id": m.id, "cookie": m.cookie, "token": m.csrf_token,
                         "token_q": urllib.parse.quote_plus(m.csrf_token)} for m in members],
        }
        if action == "vote":  # the state right now, so that every vote toggles
            pairs = boards.voted_pairs(db_url, [m.id for m in members], ideas)
            data["voted"] = {f"{user}:{idea}": True for user, idea in pairs}
        path = wrk.write_lua_data(boards.DATA / f"{action}-data.lua", data)
        return [str(path), str(wrk.threads_for(settings.connections))]

    path = {"vote": "/ideas/<id>/vote", "comment": "/ideas/<id>/comments"}[action]
    return Target("/", prepare=prepare, shown=f"POST {path} (bench/post.lua)",
                  expect=200 if action == "vote" else 302)


def prepare_board(settings: Settings, size: int) -> str:
    """The database URL of a seeded board of `size` ideas (SQLite file, or PostgreSQL reset)."""
    plan = boards.seed_plan(size)
    if settings.database_url is None:
        log(f"Board of {size:,} ideas: bench/.data/board-{size}.sqlite ({plan})")
        return boards.sqlite_url(boards.seeded_sqlite(size, settings.reseed))
    log(f"Board of {size:,} ideas: resetting and seeding PostgreSQL ({plan})")
    boards.seeded_postgresql(settings.database_url, size)
    return settings.database_url


@contextmanager
def login_server(settings: Settings, db_url: str, results: dict) -> Iterator[str]:
    """The same app in a process of its own (one worker) where members log in.

    Checking a password runs scrypt, which needs 32 MB by design (Werkzeug's n=2**15, r=8):
    the measured workers never do it, so their peak memory is what serving costs; this
    server's peak is recorded apart. Its session cookies are valid on the measured server
    (same SECRET_KEY, same client address and user agent).
    """
    with serve.serve("login", "wsgi:app", boards.ROOT, server_env(settings, db_url), 1,
                     LOGS) as server:
        yield server.url
    results["rss_mb"]["log-in worker (checks passwords)"] = server.peak_rss_mb


def bench_reads(settings: Settings, size: int, db_url: str, names: list[str],
                results: dict) -> None:
    """Serve the board and measure the read targets."""
    with (login_server(settings, db_url, results) as login_base,
          serve.serve(f"app-{size}", "wsgi:app", boards.ROOT, server_env(settings, db_url),
                      settings.workers, LOGS) as server):
        site = Site(server.url, db_url, login_base)
        for name in names:
            results["targets"][name] = measure(settings, server.url, name, READS[name](site))
    results["rss_mb"][f"app, {size:,} ideas"] = server.peak_rss_mb


def bench_writes(settings: Settings, size: int, db_url: str, names: list[str],
                 results: dict) -> None:
    """Serve a board that may change (a fresh SQLite copy) and measure votes and comments."""
    if boards.kind(db_url) == "sqlite":
        source = Path(db_url.removeprefix("sqlite:///"))
        db_url = boards.sqlite_url(boards.fresh_copy(source, f"board-{size}-writes.sqlite"))
    with (login_server(settings, db_url, results) as login_base,
          serve.serve(f"app-{size}-writes", "wsgi:app", boards.ROOT,
                      server_env(settings, db_url), settings.workers, LOGS) as server):
        members = [browser.log_in(login_base, user_id, email)
                   for user_id, email in boards.seed_members(db_url, settings.connections)]
        ideas = boards.most_voted_public_ideas(db_url, WRITE_IDEAS)
        for name in names:
            target = post_target(settings, db_url, WRITES[name], members, ideas)
            results["targets"][name] = measure(settings, server.url, name, target)
    results["rss_mb"][f"app, {size:,} ideas, writes"] = server.peak_rss_mb
    results["checks"] = boards.count_checks(db_url)
    log(f"  counts equal rows: {report.checks_line(results['checks'])}")


def bench_storm(settings: Settings, size: int, db_url: str, results: dict) -> None:
    """The storm reads alone and during each vote stream, on a board that may change."""
    if boards.kind(db_url) == "sqlite":
        source = Path(db_url.removeprefix("sqlite:///"))
        db_url = boards.sqlite_url(boards.fresh_copy(source, f"board-{size}-storm.sqlite"))
    rows: dict = {}
    with (login_server(settings, db_url, results) as login_base,
          serve.serve(f"app-{size}-storm", "wsgi:app", boards.ROOT,
                      server_env(settings, db_url), settings.workers, LOGS) as server):
        site = Site(server.url, db_url, login_base)
        voters = [browser.log_in(login_base, user_id, email) for user_id, email
                  in boards.seed_members(db_url, storm.VOTERS + 1)[1:]]  # not site.member
        for name in STORM_READS:
            target = READS[name](site)
            rows[name] = {"alone": measure(settings, server.url, name, target)}
            for rate in storm.RATES:
                with storm.vote_stream(server.url, db_url, voters, rate) as tally:
                    during = measure(settings, server.url, f"{name}, {rate} votes/s", target)
                rows[name][f"{rate}/s"] = {**(during or {}),
                                           "stream": storm.stream_summary(tally)}
    results["storm"] = rows
    results["rss_mb"][f"app, {size:,} ideas, storm"] = server.peak_rss_mb
    results["storm_checks"] = boards.count_checks(db_url)
    log(f"  counts equal rows after the storm: {report.checks_line(results['storm_checks'])}")


def bench_size(settings: Settings, size: int, largest: bool) -> dict | None:
    """Every selected target at the largest size, and the storm; only the first Top page at
    the others."""
    candidates = [*READS, *WRITES] if largest else [report.SCALE]
    names = [name for name in candidates if settings.selected(name)]
    with_storm = largest and settings.selected(STORM)
    if not names and not with_storm:
        return None
    db_url = prepare_board(settings, size)
    results: dict = {"seed_plan": boards.seed_plan(size), "targets": {}, "rss_mb": {}}
    if reads := [name for name in names if name in READS]:
        bench_reads(settings, size, db_url, reads, results)
    if writes := [name for name in names if name in WRITES]:
        bench_writes(settings, size, db_url, writes, results)
    if with_storm:
        bench_storm(settings, size, db_url, results)
    return results


def bench_hello(settings: Settings) -> dict:
    """The baseline: bench/hello.py under the same gunicorn settings."""
    log("Hello world (bench/hello.py)")
    with serve.serve("hello", "hello:app", BENCH, server_env(settings, None),
                     settings.workers, LOGS) as server:
        summary = measure(settings, server.url, report.HELLO, Target("/"))
    return {"target": summary, "rss_mb": server.peak_rss_mb}


def _first_line(cmd: list[str]) -> str:
    """The first line a command prints (stdout, else stderr)."""
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    printed = (done.stdout or done.stderr).strip()
    return printed.splitlines()[0] if printed else ""


def _proc_field(path: str, key: str) -> str | None:
    """A "key: value" line's value from a /proc file."""
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return None


def machine(settings: Settings) -> dict:
    """Where the figures come from: the machine, the versions, the commit."""
    import gunicorn  # the venv's, the one that serves

    return {
        "nproc": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "memory": _proc_field("/proc/meminfo", "MemTotal"),
        "loadavg_at_start": os.getloadavg(),
        "platform": platform.platform(), "python": platform.python_version(),
        "gunicorn": gunicorn.__version__, "wrk": _first_line([wrk.WRK, "-v"]),
        "database": boards.server_version(settings.database_url or "sqlite://"),
        "git_commit": _first_line(["git", "-C", str(boards.ROOT), "rev-parse", "HEAD"]),
    }


def run_settings(settings: Settings) -> dict:
    """The settings, as the results file records them."""
    threads = wrk.threads_for(settings.connections)
    return {
        "database": boards.kind(settings.database_url or "sqlite"),
        "database_url": boards.redact(settings.database_url or "sqlite:///bench/.data/"),
        "sizes": settings.sizes, "seed_plans": [boards.seed_plan(s) for s in settings.sizes],
        "gunicorn": f"gunicorn -w {settings.workers} -b 127.0.0.1:<free port> wsgi:app"
                    " (sync workers)",
        "wrk": f"wrk -t{threads} -c{settings.connections} -d{settings.duration}s --latency",
        "workers": settings.workers, "connections": settings.connections, "threads": threads,
        "duration_s": settings.duration, "warmup_s": settings.warmup,
        "repeat": settings.repeat, "only": settings.only,
        "redis_url": settings.redis_url, "rate_limits": RATE_LIMIT,
        "ideaboard_env": {k: v for k, v in server_env(settings, None).items()
                          if k.startswith("IDEABOARD_")},
    }


def parse_args(argv: list[str] | None = None) -> Settings:
    """The command line, as Settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="board sizes in ideas, comma-separated (default %(default)s)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=1,
                        help="seconds of unrecorded wrk before each target (0: none)")
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk connections, and members who vote and comment")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn sync workers (default %(default)s: 2 x cores + 1, "
                        "as gunicorn advises)")
    parser.add_argument("--database-url", help="a PostgreSQL URL (its public schema is "
                        "dropped and reseeded); default: SQLite files in bench/.data/")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS,
                        help='rate-limit storage (default %(default)s; "none": per worker)')
    parser.add_argument("--reseed", action="store_true", help="rebuild the SQLite boards")
    parser.add_argument("--repeat", type=int, default=1,
                        help="wrk runs per target; medians are reported")
    parser.add_argument("--only", help='only targets whose name contains this, or any of '
                        'several separated by commas ("storm": '
                        "only the reads during vote streams)")
    args = parser.parse_args(argv)
    return Settings(
        sizes=sorted({int(size) for size in args.sizes.split(",")}), duration=args.duration,
        warmup=max(0, args.warmup),
        connections=args.connections, workers=args.workers, database_url=args.database_url,
        redis_url=None if args.redis_url.lower() == "none" else args.redis_url,
        reseed=args.reseed, repeat=max(1, args.repeat), only=args.only)


def main(argv: list[str] | None = None) -> int:
    """Run every selected measurement, print the table, write bench/results/<when>-<db>.json."""
    settings = parse_args(argv)
    started = datetime.now(UTC)
    results: dict = {"started": started.isoformat(timespec="seconds"),
                     "machine": machine(settings), "settings": run_settings(settings),
                     "hello": None, "sizes": {}}
    if settings.selected(report.HELLO):
        results["hello"] = bench_hello(settings)
    for size in settings.sizes:
        if (measured := bench_size(settings, size, size == settings.sizes[-1])) is not None:
            results["sizes"][str(size)] = measured
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["scaling"] = report.scaling(results)
    results["peak_rss_mb"] = report.peak_rss(results)
    print(report.render(results))
    path = report.save(results, started)
    print(f"\nFigures written to {path.relative_to(boards.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
