"""Where a form posted to an idea (or to a comment) sends each submission.

The crawl finds such forms on the seed idea's page (or its seed comment's); the run moves
them onto other ideas, so that what they store is spread over pages of a sensible size. They
go onto the ideas the run's own submissions made, in order, unless they write fields those
submissions wrote (an edit form would replace what the idea form stored): those get fresh
host ideas. A form that replaces what an idea shows takes one submission per idea; a form
that adds to it (comments) takes up to SHARED_ROWS_PER_IDEA. Forms posted to a comment get
fresh host comments, written by whoever posts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from werkzeug.routing import MapAdapter

ROWS_PER_IDEA = {"ideas.edit": 1, "caretaker.update_status": 1, "ideas.edit_comment": 1,
                 "reviews.summary": 1}
SHARED_ROWS_PER_IDEA = 50


@dataclass
class Route:
    """A form's action as the app routes it."""

    endpoint: str
    args: dict
    query: str

    @classmethod
    def of(cls, adapter: MapAdapter, action: str, method: str) -> Route:
        """The route a form with this action and method posts to."""
        path, _, query = action.partition("?")
        endpoint, args = adapter.match(path, method=method.upper())
        return cls(endpoint, args, query)

    def naming(self, seeds: Mapping[str, int]) -> list[str]:
        """The URL arguments that hold a seed record's id (`seeds`: by argument name)."""
        return [name for name, value in self.args.items() if seeds.get(name) == value]

    def url(self, adapter: MapAdapter, names: list[str], host: int) -> str:
        """The same action, for another record."""
        path = adapter.build(self.endpoint, {**self.args, **dict.fromkeys(names, host)})
        return path + (f"?{self.query}" if self.query else "")


@dataclass
class Placement:
    """A per-idea (or per-comment) form's current host, who wrote it, and how full it is."""

    route: Route
    names: list[str]
    per_idea: int
    ideas: Iterator[int]  # records the run made, still to use
    make_host: Callable[[int | None], int]
    author_id: int | None  # who writes fresh hosts (None: whoever posts)
    host: int | None = None
    fresh: bool = False
    filled: int = 0

    def target(self, adapter: MapAdapter, poster_id: int | None) -> str:
        """The URL the next submission goes to, moving on to a new host when this one is full."""
        if self.host is None or self.filled >= self.per_idea:
            made = next(self.ideas, None)
            self.fresh = made is None
            self.host = made if made is not None else self.make_host(self.author_id or poster_id)
            self.filled = 0
        return self.route.url(adapter, self.names, self.host)


def rows_per_idea(route: Route) -> int:
    """How many submissions of this form one idea takes."""
    return ROWS_PER_IDEA.get(route.endpoint, SHARED_ROWS_PER_IDEA)
