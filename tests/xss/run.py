"""One stored-XSS run: find the forms, plant the payloads through them, open every page that
shows what was stored as each role, and gather what the browser saw."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import Flask
from playwright.sync_api import Page
from werkzeug.routing import MapAdapter

from tests.xss.browser import Finding, Inspector, PageReport
from tests.xss.discovery import ROLES, Crawl, FormSite, classes_with_free_text, crawl, form_sites
from tests.xss.planting import Account, Accounts, Planter

MAX_LIST_PAGES = 500  # ?after= pages followed from one list page
AFTER_PLANTING_LIMIT = 120  # pages of each caretaker crawl once everything is planted
CARETAKER_LISTS = ("/caretaker/inbox", "/caretaker/chats")  # where those crawls start
# Search results mark matches in titles and excerpts: searched for words the payloads and
# the packs' labels are made of, so planted text is shown marked (no link leads there).
SEARCHES = tuple(f"/search?q={words}&page={page}" for words in
                 ("xss", "alert", "script", "onerror", "img src", "svg", "javascript")
                 for page in (1, 2, 3))
# Forms whose text only the caretaker's pages show (reports and private notes), not the
# page the form came back to.
CARETAKER_EYES_ONLY = ("FlagForm", "MemberMessageForm", "VisitorMessageForm")


@dataclass
class Discovery:
    """What the crawls found: each role's pages, and where each form class is."""

    crawls: list[Crawl]
    sites: dict[type, FormSite]

    def missing(self) -> list[str]:
        """Form classes with free-text fields that no role found on any page."""
        return [cls.__name__ for cls in classes_with_free_text() if cls not in self.sites]


def discover(accounts: Accounts) -> Discovery:
    """Crawl the app as each role, and place each form class on a page."""
    crawls = [crawl(accounts.main[role].client, role) for role in ROLES]
    return Discovery(crawls, form_sites(crawls))


def plant(planter: Planter, discovery: Discovery, accounts: Accounts, payloads: list[str]) -> None:
    """Every payload into every typeable field: forms that make pages first (visitors' first,
    as they make members), then forms posted to an idea (onto the ideas made)."""
    order = sorted(discovery.sites.values(),
                   key=lambda site: (planter.per_idea(site), ROLES.index(site.role)))
    for site in order:
        if site.typeable:
            planter.plant(site, accounts, payloads)


@dataclass(frozen=True)
class Visit:
    """A page to open, as whom."""

    role: str
    url: str
    account: Account | None  # whose session the browser carries (None: its own)


def visits(app: Flask, discovery: Discovery, planter: Planter, accounts: Accounts,
           seed_idea: int) -> list[Visit]:
    """Each role's pages from the crawl, with each page it found for the seed idea repeated
    for every idea that stored rows landed on (members as the idea's author)."""
    adapter = app.url_map.bind("localhost")
    landed = planter.pages_to_open()
    found: list[Visit] = []
    expanded: set[str] = set()
    for result in [*discovery.crawls, _caretaker_pages_made(discovery, accounts)]:
        main = accounts.main[result.role] if result.role != "visitor" else None
        for page in result.pages:
            per_idea = _seed_args(adapter, page, seed_idea)
            if per_idea is None:
                found.append(Visit(result.role, page, main))
                if result.role == "member":  # each writer's own copy of a private page
                    found.extend(Visit(result.role, page, writer)
                                 for writer in planter.own_pages.get(page.partition("?")[0], ()))
                # The same kind of page for other records (members' profiles the crawl did
                # not reach, which stored forms landed on), opened by the least privileged
                # role that found that kind.
                others = [target for target in landed
                          if target != page and _same_endpoint(adapter, page, target)]
                if others and _endpoint(adapter, page) not in expanded:
                    expanded.add(_endpoint(adapter, page))
                    found.extend(Visit(result.role, target, main) for target in others)
                continue
            found.append(Visit(result.role, page, main))  # the seed idea's own page too
            for target in landed:
                url = _retarget(adapter, page, per_idea, target)
                if url is None:
                    continue
                author = planter.authors.get(target) if result.role == "member" else None
                found.append(Visit(result.role, url, author or main))
    found.extend(Visit(role, search, accounts.main[role] if role != "visitor" else None)
                 for role in ("visitor", "member") for search in SEARCHES)
    return list({(visit.role, visit.url, id(visit.account)): visit for visit in found}.values())


def _caretaker_pages_made(discovery: Discovery, accounts: Accounts) -> Crawl:
    """Pages the planting made that only the caretaker reaches (a note in the inbox, a
    planned chat), found by crawling again: the pages the first crawl did not have."""
    before = {page for result in discovery.crawls for page in result.pages}
    made = Crawl("caretaker")
    for start in CARETAKER_LISTS:
        again = crawl(accounts.main["caretaker"].client, "caretaker", start,
                      limit=AFTER_PLANTING_LIMIT)
        made.pages.extend(page for page in again.pages
                          if page not in before and page not in made.pages)
    return made


def _endpoint(adapter: MapAdapter, page: str) -> str:
    return adapter.match(page.partition("?")[0])[0]


def _same_endpoint(adapter: MapAdapter, page: str, target: str) -> bool:
    """Whether `target` is the same kind of page as `page`, for another record that is not
    an idea (idea pages are moved over by _retarget)."""
    endpoint, args = adapter.match(page.partition("?")[0])
    return "idea_id" not in args and endpoint == _endpoint(adapter, target)


def _seed_args(adapter: MapAdapter, page: str, seed_idea: int) -> list[str] | None:
    """The URL arguments naming the seed idea, if the page is one of its pages."""
    _endpoint, args = adapter.match(page.partition("?")[0])
    names = [name for name, value in args.items() if name == "idea_id" and value == seed_idea]
    return names or None


def _retarget(adapter: MapAdapter, page: str, names: list[str], target: str) -> str | None:
    """The seed idea's page `page`, for the idea whose page is `target` (None if it is not
    an idea's page)."""
    endpoint, args = adapter.match(page.partition("?")[0])
    target_endpoint, target_args = adapter.match(target)
    if not all(name in target_args for name in names):
        return None
    if target_endpoint == endpoint:
        return target
    return adapter.build(endpoint, {**args, **{name: target_args[name] for name in names}})


def browse(new_page: Callable[..., Page], base_url: str, plan: list[Visit],
           cookie_name: str) -> Iterator[tuple[Visit, PageReport]]:
    """Open every visit, in a browser context per role with the page's Content-Security-Policy
    bypassed: the markup itself must be safe, not merely blocked by the policy."""
    inspectors: dict[str, Inspector] = {}
    for visit in plan:
        if visit.role not in inspectors:
            inspectors[visit.role] = Inspector(lambda: new_page(bypass_csp=True))
        inspector = inspectors[visit.role]
        if visit.account is not None:
            cookie = visit.account.client.get_cookie(cookie_name)
            inspector.use_session(base_url, cookie_name, cookie.value if cookie else None)
        yield from _open_all(inspector, visit)


def _open_all(inspector: Inspector, visit: Visit) -> Iterator[tuple[Visit, PageReport]]:
    """Open the visit's page and every page after it (a list's or a thread's rel=next)."""
    url: str | None = visit.url
    for _ in range(MAX_LIST_PAGES):
        report = inspector.open(url)
        yield visit, report
        url = report.next_page
        if url is None:
            return
    raise AssertionError(f"{visit.url} has more than {MAX_LIST_PAGES} pages")


def unseen(planter: Planter, shown: dict[str, set[str]]) -> dict[str, list[str]]:
    """Per field, the stored values not shown where they should be: on the idea page a
    per-idea form's row went to (when opened), else on any page opened. Only a one-line field
    none of whose values shows anywhere (an e-mail address) is taken to be never shown."""
    anywhere = set().union(*shown.values())
    joined = {page: "\n".join(texts) for page, texts in shown.items()}
    joined_anywhere = "\n".join(anywhere)
    missing = {}
    for key, tally in planter.tallies.items():
        private = key.partition(".")[0] in CARETAKER_EYES_ONLY
        expected = [(text, page if page in shown and not private else None)
                    for value, page in tally.stored for text in planter.displays(value)]
        lost = [text for text, page in expected
                if text not in shown.get(page, anywhere)
                and text not in joined.get(page, joined_anywhere)]
        never_shown = len(lost) == len(expected) and not planter.fields[key].multiline
        if lost and not never_shown:
            missing[key] = lost
    return missing


def suspects(finding: Finding, payloads: list[str]) -> list[str]:
    """The payload(s) a finding most likely came from."""
    if finding.case is not None:
        return [payloads[finding.case]]
    tokens = [token.lower() for token in finding.tokens if token]
    if not tokens:
        return []
    holding = [p for p in payloads if all(token in p.lower() for token in tokens)]
    return sorted(holding, key=len)[:3]  # the shortest holding them all is the likeliest


def describe(findings: list[Finding], payloads: list[str], limit: int = 25) -> str:
    """The findings for a failure message, each with the payload(s) it likely came from."""
    lines = []
    for finding in findings[:limit]:
        lines.append(f"- {finding.page}: {finding.kind}: {finding.detail}")
        lines.extend(f"    payload: {payload!r}" for payload in suspects(finding, payloads))
    more = len(findings) - limit
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))
