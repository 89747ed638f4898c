"""A chat hour, simulated: members and visitors reading, voting, unvoting, commenting and
posting against a live server at once, each remembering what the server acknowledged, so
that afterwards every acknowledged write can be looked for in the database."""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from sqlalchemy import Engine, text

CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"')
COMMENT_ID = re.compile(r"#comment-(\d+)$")
IDEA_ID = re.compile(r"^/ideas/(\d+)")
# What a client sees of a worker killed under it: refused or reset before the answer, or
# an answer cut off in its body.
LOST_ANSWER = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


@dataclass
class Tally:
    """What every client saw, shared by all of them (under a lock)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    server_errors: list[str] = field(default_factory=list)
    connection_errors: int = 0
    votes: dict[tuple[int, int], bool] = field(default_factory=dict)  # (member, idea): voted
    comments: set[int] = field(default_factory=set)
    ideas: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, response: requests.Response) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[response.status_code] += 1
            if response.status_code >= 500 or "database is locked" in response.text:
                self.server_errors.append(f"{kind}: {response.status_code} "
                                          f"{response.text[:200]!r}")

    def report(self, seconds: float) -> str:
        """Requests per second and p50/p99 per kind of request, as a few lines."""
        lines = []
        for kind, times in sorted(self.latencies.items()):
            ordered = sorted(times)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            lines.append(f"{kind:>8}: {len(times):6,} ({len(times) / seconds:6.1f}/s) "
                         f"p50 {statistics.median(ordered) * 1000:6.1f} ms "
                         f"p99 {p99 * 1000:6.1f} ms")
        lines.append(f"statuses {dict(sorted(self.statuses.items()))}, "
                     f"connection errors {self.connection_errors}")
        lines.append(f"acknowledged: {len(self.votes):,} vote states, {len(self.comments):,} "
                     f"comments, {len(self.ideas):,} ideas")
        return "\n".join(lines)


class Client(threading.Thread):
    """One person: a member (with an email) or a visitor (None), acting until `stop`."""

    def __init__(self, base: str, member: tuple[int, str] | None, password: str,
                 idea_ids: list[int], tally: Tally, stop: threading.Event, seed: int) -> None:
        super().__init__(daemon=True)
        self.member_id, self.email = member if member else (None, None)
        self.base, self.password = base, password
        self.idea_ids, self.tally, self.stop = idea_ids, tally, stop
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.token = ""
        self.voted: dict[int, bool] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if not self.token:
                    self._start()
                self._act()
            except LOST_ANSWER:
                with self.tally.lock:
                    self.tally.connection_errors += 1
                self.token = ""  # a killed worker's answer never came: start over
                time.sleep(0.05)

    def _start(self) -> None:
        page = self.http.get(f"{self.base}/ideas/{self.idea_ids[0]}", timeout=30)
        if self.email is not None:
            login = self.http.get(f"{self.base}/login", timeout=30)
            token = CSRF.search(login.text).group(1)
            answer = self.http.post(f"{self.base}/login", allow_redirects=False, timeout=30,
                                    data={"csrf_token": token, "email": self.email,
                                          "password": self.password})
            assert answer.status_code == 302, answer.text[:300]
            page = self.http.get(f"{self.base}/", timeout=30)
        self.token = CSRF.search(page.text).group(1)

    def _act(self) -> None:
        roll = self.random.random()
        if self.email is not None and roll < 0.45:
            self._vote()
        elif roll < 0.60:
            self._comment()
        elif self.email is not None and roll < 0.65:
            self._post_idea()
        else:
            self._read()

    def _timed(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        response = self.http.request(method, self.base + path, allow_redirects=False,
                                     timeout=60, **kwargs)
        self.tally.record(kind, time.perf_counter() - started, response)
        return response

    def _vote(self) -> None:
        idea_id = self.random.choice(self.idea_ids)
        intent = "unvote" if self.voted.get(idea_id) else "vote"
        try:
            response = self._timed("vote", "POST", f"/ideas/{idea_id}/vote",
                                   data={"intent": intent},
                                   headers={"Accept": "application/json",
                                            "X-CSRFToken": self.token})
        except LOST_ANSWER:
            # The worker may have committed before it died: this vote's state is unknown now.
            with self.tally.lock:
                self.tally.votes.pop((self.member_id, idea_id), None)
            raise
        if response.status_code == 200:
            self.voted[idea_id] = response.json()["voted"]
            with self.tally.lock:
                self.tally.votes[(self.member_id, idea_id)] = self.voted[idea_id]

    def _comment(self) -> None:
        idea_id = self.random.choice(self.idea_ids)
        data = {"csrf_token": self.token, "body": f"Load comment {self.random.random()}"}
        if self.email is None:
            data["name"] = "Load visitor"
        response = self._timed("comment", "POST", f"/ideas/{idea_id}/comments", data=data)
        found = COMMENT_ID.search(response.headers.get("Location", ""))
        if response.status_code == 302 and found:
            with self.tally.lock:
                self.tally.comments.add(int(found.group(1)))

    def _post_idea(self) -> None:
        response = self._timed("idea", "POST", "/ideas/new", data={
            "csrf_token": self.token, "title": f"Load idea {self.random.randrange(10**9)}",
            "description": "Posted during the load test.", "category": "1"})
        found = IDEA_ID.match(urlsplit(response.headers.get("Location", "")).path)
        if response.status_code == 302 and found:
            with self.tally.lock:
                self.tally.ideas.add(int(found.group(1)))

    def _read(self) -> None:
        idea_id = self.random.choice(self.idea_ids)
        path = self.random.choice(["/", "/?sort=new", f"/ideas/{idea_id}"])
        self._timed("read", "GET", path, headers={"Accept": "text/html"})


def lost_writes(engine: Engine, tally: Tally) -> list[str]:
    """Every acknowledged write that the database does not hold, and every count that is
    not its rows."""
    problems = []
    with engine.connect() as connection:
        votes = {tuple(row) for row in
                 connection.execute(text("SELECT user_id, idea_id FROM votes"))}
        comments = set(connection.scalars(text("SELECT id FROM comments")))
        ideas = set(connection.scalars(text("SELECT id FROM ideas")))
        miscounted = connection.execute(text(
            "SELECT id, vote_count, comment_count FROM ideas WHERE"
            " vote_count != (SELECT count(*) FROM votes WHERE idea_id = ideas.id) OR"
            " comment_count != (SELECT count(*) FROM comments"
            "   WHERE idea_id = ideas.id AND hidden_at IS NULL)")).all()
    problems += [f"vote {pair} acknowledged as {state}, but {'absent' if state else 'present'}"
                 for pair, state in tally.votes.items() if (pair in votes) != state]
    problems += [f"comment {cid} acknowledged, absent" for cid in tally.comments - comments]
    problems += [f"idea {iid} acknowledged, absent" for iid in tally.ideas - ideas]
    problems += [f"idea {row[0]}: counts {row[1]}, {row[2]} are not its rows" for row in miscounted]
    return problems
