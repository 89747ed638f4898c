"""The chat hour: reads measured alone and while members vote at a steady rate (and one of
them comments every few seconds), so that what a vote costs the readers shows.

Each read target runs under wrk three times over: with no writes, then during a vote
stream of 10 votes/s, then of 50. The stream is VOTERS members (not the reading member),
each its own thread, toggling their votes on the TOP_IDEAS most-voted ideas at an even
pace; the first of them also posts a comment every COMMENT_EVERY_S seconds.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import boards
import browser
from wrk import USER_AGENT

RATES = (10, 50)  # votes per second during the reads
VOTERS = 4
TOP_IDEAS = 20
COMMENT_EVERY_S = 3.0
COMMENT_BODY = "Storm comment: posted while the chat votes."


@dataclass
class StreamTally:
    """What the stream sent, and how it went."""

    votes: int = 0
    comments: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int, expected: int) -> None:
        with self.lock:
            if status != expected:
                self.errors.append(f"{kind}: {status}")
            elif kind == "vote":
                self.votes += 1
            else:
                self.comments += 1


class Voter(threading.Thread):
    """One member toggling votes at `rate` per second until `stop`; comments too if asked."""

    def __init__(self, base: str, member: browser.Member, ideas: list[int], voted: set[int],
                 rate: float, comments: bool, tally: StreamTally, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.member, self.ideas, self.voted = base, member, ideas, voted
        self.interval, self.comments = 1.0 / rate, comments
        self.tally, self.stop = tally, stop

    def run(self) -> None:
        next_vote = next_comment = time.monotonic()
        turn = 0
        while not self.stop.is_set():
            if self.comments and time.monotonic() >= next_comment:
                next_comment += COMMENT_EVERY_S
                self._comment(self.ideas[turn % len(self.ideas)])
            self._vote(self.ideas[turn % len(self.ideas)])
            turn += 1
            next_vote += self.interval
            self.stop.wait(max(0.0, next_vote - time.monotonic()))

    def _vote(self, idea: int) -> None:
        intent = "unvote" if idea in self.voted else "vote"
        status = self._post(f"/ideas/{idea}/vote", {"intent": intent}, "application/json")
        if status == 200:
            self.voted.symmetric_difference_update({idea})
        self.tally.note("vote", status, 200)

    def _comment(self, idea: int) -> None:
        status = self._post(f"/ideas/{idea}/comments", {"body": COMMENT_BODY}, "text/html")
        self.tally.note("comment", status, 302)

    def _post(self, path: str, form: dict[str, str], accept: str) -> int:
        data = urllib.parse.urlencode({**form, "csrf_token": self.member.csrf_token}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={
            "Cookie": self.member.cookie, "Accept": accept, "User-Agent": USER_AGENT})
        try:
            with _NO_REDIRECTS.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0


class _Keep3xx(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None  # a comment's 302 is its success: keep it as the answer


_NO_REDIRECTS = urllib.request.build_opener(_Keep3xx)


@contextmanager
def vote_stream(base: str, db_url: str, voters: list[browser.Member], rate: float
                ) -> Iterator[StreamTally]:
    """`rate` votes per second (spread over the voters) and a comment every few seconds,
    for as long as the block runs; the tally says what went out."""
    tally, stop = StreamTally(), threading.Event()
    ideas = boards.most_voted_public_ideas(db_url, TOP_IDEAS)
    pairs = boards.voted_pairs(db_url, [m.id for m in voters], ideas)
    threads = [Voter(base, member, ideas[n::len(voters)] or ideas,
                     {idea for user, idea in pairs if user == member.id},
                     rate / len(voters), n == 0, tally, stop)
               for n, member in enumerate(voters)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        yield tally
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        tally.seconds = time.monotonic() - started


def stream_summary(tally: StreamTally) -> dict:
    """The stream as the results file keeps it: what it sent, per second, and its errors."""
    seconds = tally.seconds or float("nan")
    return {"votes": tally.votes, "comments": tally.comments,
            "votes_per_s": tally.votes / seconds, "seconds": seconds,
            "errors": len(tally.errors), "error_samples": tally.errors[:5]}
