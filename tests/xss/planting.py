"""Payloads planted through the real forms, as a browser would post them (CSRF token and
all), by the role that finds each form.

A one-line field takes one payload per submission, cut to its maximum length; a text area
takes a pack of payloads, each in its own paragraph under a label naming the field and the
payload (`xss-ideaform-description-00017`), which tells on a page what came from where. A
refused submission is narrowed down: the fields the page marks invalid are taken out, and a
refused pack is split in halves until each payload is stored or refused on its own. Forms
posted to an idea are spread over ideas (placement.py).
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ideaboard.forms import IdListField
from ideaboard.services.api_tokens import MAX_TOKENS
from tests.xss.discovery import FormSite, FreeField, free_text_fields, unbound_fields
from tests.xss.html import CSRF_FIELD, invalid_fields, parse_page
from tests.xss.placement import Placement, Route, rows_per_idea

LABEL = "xss-{}-{:05d}"  # one width: no label is the start of another
# Forms that write what one account shows, and how many rows an account takes: its profile
# and its offer to host are replaced by the next submission; its API tokens are listed in full
# on its account page, up to the cap a member has. They are posted by members of their own,
# each taking that many rows, so that none overwrites another and no page outgrows its cap.
ROWS_PER_ACCOUNT = {"auth.edit_profile": 1, "hosting.make_offer": 1,
                    "auth.create_token": MAX_TOKENS}
PACK_FILL = 0.9  # of the field's maximum length
PACK_CASES = 150
Row = dict[str, "Value"]


def label(key: str, case: int) -> str:
    """The paragraph before payload number `case` in a pack for field `key` (Form.field)."""
    return LABEL.format(key.lower().replace(".", "-"), case)


@dataclass(frozen=True)
class Value:
    """What one field gets in one submission: one payload, or a labelled pack of them."""

    key: str  # the field's Form.field
    items: tuple[tuple[int, str], ...]  # (case number, payload as submitted)
    packed: bool

    @property
    def text(self) -> str:
        if not self.packed:
            return self.items[0][1]
        return "\n\n".join(f"{label(self.key, case)}\n\n{payload}"
                           for case, payload in self.items)

    def halves(self) -> list[Value]:
        middle = len(self.items) // 2
        return [Value(self.key, self.items[:middle], True),
                Value(self.key, self.items[middle:], True)]


def values_for(free: FreeField, payloads: Sequence[str]) -> list[Value]:
    """Every payload for one field: one each in a one-line field (once each text it is cut
    to: payloads cut to the same text test the same thing), in packs in a text area."""
    if not free.multiline:
        first_case: dict[str, int] = {}
        for case, payload in enumerate(payloads):
            first_case.setdefault(free.fit(payload), case)
        return [Value(free.key, ((case, text),), False) for text, case in first_case.items()]
    return list(_packs(free, payloads))


def _packs(free: FreeField, payloads: Sequence[str]) -> Iterator[Value]:
    budget = int((free.max_length or 5_000) * PACK_FILL)
    items: list[tuple[int, str]] = []
    size = 0
    for case, payload in enumerate(payloads):
        cost = len(label(free.key, case)) + len(payload) + 4
        if items and (size + cost > budget or len(items) == PACK_CASES):
            yield Value(free.key, tuple(items), True)
            items, size = [], 0
        items.append((case, payload))
        size += cost
    if items:
        yield Value(free.key, tuple(items), True)


def rows_for(site: FormSite, payloads: Sequence[str]) -> deque[Row]:
    """Submission n fills each typeable field with its n-th value (fillers once it has none)."""
    columns = {free.name: values_for(free, payloads) for free in site.typeable}
    return deque(
        {name: value for name, value in zip(columns, values, strict=True) if value is not None}
        for values in itertools.zip_longest(*columns.values())
    )


@dataclass(eq=False)
class Account:
    """A browser session: a test client, whose account it is (if any), its CSRF token."""

    client: FlaskClient
    user_id: int | None = None
    token: str | None = None

    def csrf(self, page: str) -> str:
        """The session's token, read once from a page with a form."""
        if self.token is None:
            html = self.client.get(page, follow_redirects=True).get_data(as_text=True)
            self.token = parse_page(html, page).csrf_token
            assert self.token, f"no CSRF token on {page}"
        return self.token

    def next_page(self) -> int | None:
        """What the page after a redirect does to the session: its flash messages are shown
        (so they do not pile up); returns whom the session is signed in as."""
        with self.client.session_transaction() as session:
            session.pop("_flashes", None)
            user_id = session.get("_user_id")
        return int(user_id.partition(":")[0]) if user_id else None  # "<id>:<login token>"


@dataclass
class Accounts:
    """Who posts: one account per role, and for member forms the accounts that visitors'
    stored forms signed up, taking turns (so each shows its name on something it wrote)."""

    main: dict[str, Account]
    new_client: Callable[[], FlaskClient]
    cookie_name: str = "session"
    members: list[Account] = field(default_factory=list)
    turn: int = 0
    blank: tuple[str, str] | None = None  # a new visitor's session cookie and CSRF token

    def for_row(self, role: str) -> Account:
        if role == "member" and self.members:
            return self.members[self.turn % len(self.members)]
        return self.main[role]

    def next_turn(self) -> None:
        self.turn += 1

    def signed_up(self, account: Account, user_id: int, page: str) -> None:
        """A visitor's form made an account: it joins the members; visitors carry on anew."""
        account.user_id = user_id
        self.members.append(account)
        self.main["visitor"] = self.new_visitor(page)

    def new_visitor(self, page: str) -> Account:
        """A visitor who has just opened `page`: the first one does, later ones copy its
        session (one request less per account signed up)."""
        client = self.new_client()
        if self.blank is None:
            visitor = Account(client)
            token = visitor.csrf(page)
            self.blank = (client.get_cookie(self.cookie_name).value, token)
            return visitor
        client.set_cookie(self.cookie_name, self.blank[0])
        return Account(client, token=self.blank[1])


@dataclass
class Tally:
    stored: list[tuple[Value, str | None]] = field(default_factory=list)  # and its idea's page
    refused: list[tuple[int, str]] = field(default_factory=list)

    @property
    def stored_cases(self) -> int:
        return sum(len(value.items) for value, _page in self.stored)


class PlantingError(AssertionError):
    """A submission got neither stored nor refused (a server error, a 403, ...)."""


class Planter:
    """Posts rows through form sites, keeping count and noting where stored values landed."""

    def __init__(self, app: Flask, seeds: dict[str, int],
                 make_hosts: dict[str, Callable[[int | None], int]],
                 new_member: Callable[[], Account]):
        """`seeds`: the records the crawl found forms for, by URL argument (idea_id,
        comment_id); `make_hosts`: for each, how to make another (written by a member);
        `new_member`: a member of their own, signed in, for ROWS_PER_ACCOUNT forms."""
        self.adapter = app.url_map.bind("localhost")
        self.seeds, self.make_hosts, self.new_member = seeds, make_hosts, new_member
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.fields: dict[str, FreeField] = {}
        self.landed: dict[str, list[Row]] = defaultdict(list)  # page path -> rows stored
        self.authors: dict[str, Account] = {}  # page path -> the member who wrote it
        # page path -> the members who wrote on it, each seeing only their own (the account page)
        self.own_pages: dict[str, list[Account]] = defaultdict(list)
        self.made: list[tuple[dict, frozenset[str]]] = []  # pages made: URL args, fields
        self.requests = 0
        self._own_accounts: dict[str, tuple[Account, int]] = {}  # endpoint -> rows it took
        self._fillers = itertools.count(1)
        # Fields whose filler a form refused (a handle takes no spaces): sent as the page
        # gave them instead.
        self._as_given: dict[type, set[str]] = defaultdict(set)

    def per_idea(self, site: FormSite) -> bool:
        """Whether the form is posted to an idea or a comment (a seed, where the crawl found
        it)."""
        return bool(Route.of(self.adapter, site.form.action, site.form.method)
                    .naming(self.seeds))

    def plant(self, site: FormSite, accounts: Accounts, payloads: Sequence[str]) -> None:
        """Submit every payload into every typeable field of the site's form."""
        self.fields.update({free.key: free for free in site.typeable})
        rows, placement = rows_for(site, payloads), self._placement(site, accounts)
        while rows:
            self._submit(site, rows.popleft(), rows, accounts, placement)

    def _placement(self, site: FormSite, accounts: Accounts) -> Placement | None:
        route = Route.of(self.adapter, site.form.action, site.form.method)
        names = route.naming(self.seeds)
        if not names:
            return None
        made = [(args[names[0]], fields) for args, fields in self.made if names[0] in args]
        writes = {free.name for free in site.typeable}
        if any(writes & fields for _idea, fields in made):
            made = []  # it would replace what made those ideas: give it fresh ones
        ideas = iter(dict.fromkeys(idea for idea, _fields in made))
        author = accounts.main["member"].user_id if site.role != "member" else None
        return Placement(route, names, rows_per_idea(route), ideas, self.make_hosts[names[0]],
                         author)

    def _submit(self, site: FormSite, row: Row, rows: deque[Row], accounts: Accounts,
                placement: Placement | None) -> None:
        endpoint = Route.of(self.adapter, site.form.action, site.form.method).endpoint
        account = self._account_for(endpoint, site.role, accounts)
        target = (placement.target(self.adapter, account.user_id) if placement
                  else site.form.action)
        response = account.client.post(target, data=self._form_data(site, row, account))
        self.requests += 1
        if 300 <= response.status_code < 400 or response.status_code == 201:
            if endpoint in self._own_accounts:
                self._own_accounts[endpoint] = (account, self._own_accounts[endpoint][1] + 1)
            self._stored(site, row, response, account, accounts, placement)
        elif response.status_code == 400:
            self._refused(site, row, rows, response, target)
        else:
            raise PlantingError(_describe(site, row, target, response))

    def _account_for(self, endpoint: str, role: str, accounts: Accounts) -> Account:
        """Who posts the next row: a member of its own for ROWS_PER_ACCOUNT forms (a new one
        once it took its rows), else the role's account whose turn it is."""
        if endpoint not in ROWS_PER_ACCOUNT:
            return accounts.for_row(role)
        account, taken = self._own_accounts.get(endpoint, (None, ROWS_PER_ACCOUNT[endpoint]))
        if account is None or taken >= ROWS_PER_ACCOUNT[endpoint]:
            account, taken = self.new_member(), 0
            self._own_accounts[endpoint] = (account, taken)
        return account

    def _form_data(self, site: FormSite, row: Row, account: Account) -> dict[str, str]:
        data = site.form.defaults()
        free = self._free_names(site.form_class)
        for name, control in site.form.fields.items():
            if control.hidden_from_people and name in free:
                data[name] = ""  # a honeypot: people leave it empty
            elif (not control.hidden_from_people and control.kind in _FILLERS
                  and name not in self._as_given[site.form_class]):
                data[name] = _FILLERS[control.kind](next(self._fillers))
            elif (control.kind == "checkbox" and control.value is None
                  and name in self._choices_of_records(site.form_class)):
                data[name] = control.ticked_value  # the form needs one record ticked
        data.update({name: value.text for name, value in row.items()})
        data[CSRF_FIELD] = account.csrf(site.form.page)
        return data

    @staticmethod
    @cache
    def _choices_of_records(form_class: type) -> frozenset[str]:
        """Fields whose checkboxes pick records (ideas to act on): a person ticks one."""
        return frozenset(name for name, f in unbound_fields(form_class).items()
                         if issubclass(f.field_class, IdListField))

    @staticmethod
    @cache
    def _free_names(form_class: type) -> frozenset[str]:
        return frozenset(f.name for f in free_text_fields(form_class))

    def _stored(self, site: FormSite, row: Row, response: TestResponse, account: Account,
                accounts: Accounts, placement: Placement | None) -> None:
        if response.status_code == 201:  # answered with the form's own page (a new API token)
            page = site.form.page.partition("?")[0]
            if site.role == "member" and account not in self.own_pages[page]:
                self.own_pages[page].append(account)
        else:
            page = response.headers["Location"].partition("#")[0].partition("?")[0]
        for value in row.values():
            self.tallies[value.key].stored.append((value, page if placement else None))
        self.landed[page].append(row)
        if placement is None:
            self.made.append((self.adapter.match(page)[1], frozenset(row)))
            if site.role == "member":
                self.authors.setdefault(page, account)
        else:
            placement.filled += 1
            if placement.fresh:  # a host the run made: written by the poster, or the member
                writer = account if site.role == "member" else accounts.main["member"]
                self.authors.setdefault(page, writer)
        if site.role == "member":
            accounts.next_turn()
        user_id = account.next_page()
        if site.role == "visitor" and user_id:
            accounts.signed_up(account, user_id, site.form.page)

    def _refused(self, site: FormSite, row: Row, rows: deque[Row], response: TestResponse,
                 target: str) -> None:
        invalid = invalid_fields(response.get_data(as_text=True))
        if refused_fillers := invalid - set(row):
            as_given = self._as_given[site.form_class]
            if refused_fillers <= as_given:
                raise PlantingError("a filler was refused: "
                                    + _describe(site, row, target, response))
            as_given |= refused_fillers
            rows.appendleft(row)  # again, those fields as the page gave them
            return
        if not invalid and len(row) > 1:  # refused as a whole: try each field on its own
            rows.extend({name: value} for name, value in row.items())
            return
        for name in invalid or set(row):
            value = row[name]
            if len(value.items) > 1:
                rows.extend({name: half} for half in value.halves())
            else:
                self.tallies[value.key].refused.append(value.items[0])
        if invalid and (rest := {n: v for n, v in row.items() if n not in invalid}):
            rows.append(rest)

    def displays(self, value: Value) -> list[str]:
        """The texts a page shows for a stored value: a pack's labels, or a one-line value
        after its form's filters."""
        if value.packed:
            return [label(value.key, case) for case, _payload in value.items]
        return [self.fields[value.key].as_stored(value.text)]

    def pages_to_open(self) -> list[str]:
        """Pages that stored rows landed on and that show what they stored: those holding a
        text area's pack, and those several rows share (a title alone on its own idea page
        is seen in the lists instead)."""
        return [page for page, rows in self.landed.items()
                if len(rows) > 1 or any(v.packed for row in rows for v in row.values())]


_FILLERS: dict[str, Callable[[int], str]] = {
    "datetime-local": lambda n: f"2030-01-{n % 28 + 1:02d}T12:00",
    "text": lambda n: f"Filler text {n}",
    "textarea": lambda n: f"Filler text {n}",
    "email": lambda n: f"filler-{n}@example.org",
    "password": lambda n: f"filler password {n}",
}


def _describe(site: FormSite, row: Row, target: str, response: TestResponse) -> str:
    values = {name: [payload for _case, payload in value.items][:3] for name, value in row.items()}
    body = response.get_data(as_text=True)[:300]
    return (f"{site.form_class.__name__} as {site.role}, POST {target} -> "
            f"{response.status_code}\n  values: {values!r}\n  response: {body}")
