"""Stored XSS, in a real browser: every payload, typed into every free-text field of every
form the app shows, never runs and never survives as a dangerous link on any page or feed.

The forms are found, not listed (tests/xss/discovery.py), so a new form is covered the day
it lands. The default run takes a fixed sample of 200 payloads; the whole list runs with
`pytest -m slow`. Both print their figures (see them with `-s`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest
from flask import Flask
from markdown_it import MarkdownIt
from playwright.sync_api import Page
from sqlalchemy import func, select

from ideaboard import sanitize
from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Review, Role, User, utcnow
from ideaboard.services import comments as comment_service
from ideaboard.services import feeds
from ideaboard.services import ideas as idea_service
from ideaboard.services import reviews as review_service
from ideaboard.services.categories import all_categories, by_slug
from tests.conftest import log_in, sign_in
from tests.xss import browser, run
from tests.xss.browser import Inspector
from tests.xss.payloads import OWN_PAYLOADS, all_payloads, sample_payloads
from tests.xss.placement import SHARED_ROWS_PER_IDEA
from tests.xss.planting import Account, Accounts, Planter, label

pytestmark = pytest.mark.e2e

# Every *_RATE_LIMIT setting raised: the limiter is one object shared by every app the suite
# makes, so switching it off here would reach past this module.
UNLIMITED = "1000000 per minute"
STORED_AT_LEAST = 0.9  # of the payloads, in every text area


@pytest.fixture
def app(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """This module's app: no rate limit in reach, long list pages, every idea in the feed,
    and static files cached by the browser."""
    app.config.update(IDEAS_PER_PAGE=500, CHATS_PER_PAGE=500, SEND_FILE_MAX_AGE_DEFAULT=3600)
    app.config.update({name: UNLIMITED for name in app.config if name.endswith("_RATE_LIMIT")})
    monkeypatch.setattr(feeds, "FEED_SIZE", 1_000_000)
    return app


@pytest.fixture
def seed_idea(app, make_idea, member, caretaker) -> int:
    """The one idea the crawl finds, so that its per-idea forms and pages are found; about a
    topic, so that a chat can be planned from it. The member commented on it, so that the
    forms for one's own comment are found too."""
    with app.app_context():
        topic = by_slug("topic-for-a-future-chat").id
    idea_id = make_idea(title="The idea the crawl finds", author=member, category=topic)
    with app.app_context():
        comment_service.add_member_comment(db.session.get(Idea, idea_id),
                                           db.session.get(User, member.id),
                                           "The comment the crawl finds")
        db.session.commit()
    make_review(app)()  # the review the crawl finds, with its summary form
    return idea_id


def make_review(app: Flask) -> Callable[[int | None], int]:
    """Makes reviews, whose one summary each holds what the summary form stores."""

    def _make(_author_id: int | None = None) -> int:
        with app.app_context():
            caretaker = db.session.scalar(select(User).where(User.role == Role.CARETAKER))
            review = review_service.start_review(caretaker)
            db.session.commit()
            return review.id

    return _make


def seeds(app: Flask, seed_idea: int) -> dict[str, int]:
    """The records whose forms the crawl finds, by the URL argument naming them."""
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).where(Comment.idea_id == seed_idea))
        review_id = db.session.scalar(select(func.min(Review.id)))
    return {"idea_id": seed_idea, "comment_id": comment_id, "review_id": review_id}


@pytest.fixture
def accounts(app: Flask, member, caretaker) -> Accounts:
    """A visitor, and the member and caretaker signed in, each with its own client."""
    main = {"visitor": Account(app.test_client())}
    for role, user in (("member", member), ("caretaker", caretaker)):
        client = app.test_client()
        log_in(client, user)
        main[role] = Account(client, user.id)
    return Accounts(main, app.test_client, app.config["SESSION_COOKIE_NAME"])


def host_maker(app: Flask, default_author: int) -> Callable[[int | None], int]:
    """Makes the plain ideas that per-idea forms are posted to."""
    numbers = itertools.count(1)

    def make_host(author_id: int | None) -> int:
        with app.app_context():
            author = db.session.get(User, author_id or default_author)
            idea = idea_service.create_idea(author, f"Host idea {next(numbers)}",
                                            "Holds what the forms store.", all_categories()[0].id)
            db.session.commit()
            return idea.id

    return make_host


def host_makers(app: Flask, default_author: int) -> dict[str, Callable[[int | None], int]]:
    """Host ideas, and the comments that per-comment forms (editing one's own) are posted
    to, each written by the member who will post, SHARED_ROWS_PER_IDEA to a host idea."""
    make_idea_host = host_maker(app, default_author)
    host: dict[str, int] = {"idea": 0, "comments": SHARED_ROWS_PER_IDEA}

    def make_comment_host(author_id: int | None) -> int:
        if host["comments"] >= SHARED_ROWS_PER_IDEA:
            host.update(idea=make_idea_host(author_id), comments=0)
        host["comments"] += 1
        with app.app_context():
            comment = comment_service.add_member_comment(
                db.session.get(Idea, host["idea"]), db.session.get(User, author_id),
                "Holds what the form stores.")
            db.session.commit()
            return comment.id

    return {"idea_id": make_idea_host, "comment_id": make_comment_host,
            "review_id": make_review(app)}


def member_maker(app: Flask) -> Callable[[], Account]:
    """New members, each signed in in a browser session of their own."""
    numbers = itertools.count(1)

    def new_member() -> Account:
        number = next(numbers)
        with app.app_context():
            user = User(email=f"own-{number}@example.org", display_name=f"Own member {number}",
                        password_hash="!", email_verified_at=utcnow())
            db.session.add(user)
            db.session.commit()
            user_id = user.id
        with app.app_context():
            client = sign_in(app.test_client(), db.session.get(User, user_id))
        return Account(client, user_id)

    return new_member


def test_every_form_with_free_text_is_found_on_a_page(accounts, seed_idea):
    discovery = run.discover(accounts)

    assert not discovery.missing(), f"forms no role finds on any page: {discovery.missing()}"
    for cls, site in discovery.sites.items():
        hidden = {name for name, f in site.form.fields.items() if f.hidden_from_people}
        print(f"{cls.__name__}: {site.role} at {site.form.page}, typing into "
              f"{[f.name for f in site.typeable]}, leaving alone {sorted(hidden)}")


def check_payloads(app: Flask, new_page: Callable[..., Page], live_server: str,
                   accounts: Accounts, seed_idea: int, payloads: list[str]) -> None:
    """Plant the payloads through every form, open every page showing them, and fail on
    anything that ran or any dangerous markup, naming the payload."""
    started = time.perf_counter()
    discovery = run.discover(accounts)
    assert not discovery.missing(), f"forms no role finds on any page: {discovery.missing()}"
    planter = Planter(app, seeds(app, seed_idea),
                      host_makers(app, accounts.main["member"].user_id), member_maker(app))
    run.plant(planter, discovery, accounts, payloads)
    planted = time.perf_counter()
    plan = run.visits(app, discovery, planter, accounts, seed_idea)
    opened = list(run.browse(new_page, live_server, plan, app.config["SESSION_COOKIE_NAME"]))
    print(summary(planter, payloads, opened, planted - started, time.perf_counter() - planted))

    findings = [finding for _visit, report in opened for finding in report.findings]
    assert not findings, "planted payloads ran or left dangerous markup:\n" + run.describe(
        findings, payloads)
    _assert_most_were_stored(planter, len(payloads))
    shown: dict[str, set[str]] = {}  # a page and the pages after it count as one
    for visit, report in opened:
        shown.setdefault(visit.url, set()).update(report.texts)
    missing = run.unseen(planter, shown)
    lost = {key: texts[:5] for key, texts in missing.items()}
    assert not missing, f"stored, but not shown where expected: {lost}"


def _assert_most_were_stored(planter: Planter, count: int) -> None:
    """A run cannot pass by storing nothing: text areas keep nearly every payload."""
    for key, free in planter.fields.items():
        if free.multiline:
            stored = planter.tallies[key].stored_cases
            assert stored >= STORED_AT_LEAST * count, f"{key}: only {stored} of {count} stored"


def summary(planter: Planter, payloads: list[str], opened: list, plant_s: float,
            browse_s: float) -> str:
    """The run's figures: payloads, fields, submissions, stored and refused, pages, time."""
    lines = [f"{len(payloads)} payloads, {len(planter.fields)} fields, "
             f"{planter.requests} submissions in {plant_s:.1f} s"]
    for key, tally in sorted(planter.tallies.items()):
        lines.append(f"  {key}: {tally.stored_cases} stored, {len(tally.refused)} refused")
    roles: dict[str, int] = {}
    for visit, _report in opened:
        roles[visit.role] = roles.get(visit.role, 0) + 1
    lines.append(f"{len(opened)} pages opened in {browse_s:.1f} s: {roles}")
    return "\n".join(lines)


def test_sampled_payloads_never_run(app, new_page, live_server, accounts, seed_idea):
    check_payloads(app, new_page, live_server, accounts, seed_idea, sample_payloads())


# The whole list in shares, each a test of its own (its own board, browser and crawl), so
# that CI runs them side by side on its cores; together they are every payload.
WHOLE_LIST_SHARES = 2


@pytest.mark.slow
@pytest.mark.parametrize("share", range(WHOLE_LIST_SHARES))
def test_whole_payload_list_never_runs(app, new_page, live_server, accounts, seed_idea, share):
    payloads = all_payloads()[share::WHOLE_LIST_SHARES]
    check_payloads(app, new_page, live_server, accounts, seed_idea, payloads)


# A page that prints payloads unsanitized, each after its label, with two harmless controls.
UNSAFE = {
    1: "<img src=x onerror=alert(1)>",
    2: '<a href=" jAvA&#x09;script:alert(2)">link</a>',
    3: "<script>confirm(3)</script>",
    4: '<iframe src="data:text/html,<p>4</p>"></iframe>',
    5: '<svg><a xlink:href="javascript:alert(5)"><text y="20">5</text></a></svg>',
    6: '<form action="vbscript:msgbox(6)"><button formaction="javascript:alert(6)">6</button>',
    7: '<meta http-equiv="Refresh" content="30">',
    8: '<a href="https://example.org/">a plain link</a>',
    9: "&lt;script&gt;alert(9)&lt;/script&gt;",
}
HARMLESS = {8, 9}


def _unsafe_page() -> str:
    body = "".join(f"<p>{label('Unsafe.page', case)}</p>{p}" for case, p in UNSAFE.items())
    return f"<!doctype html><html><head><title>Unsafe</title></head><body>{body}</body></html>"


def test_the_check_catches_an_unsanitized_page(app, new_page, live_server):
    app.add_url_rule("/test-only/unsafe", "test_only_unsafe", _unsafe_page)

    report = Inspector(lambda: new_page(bypass_csp=True)).open("/test-only/unsafe")

    kinds = {finding.kind for finding in report.findings}
    assert kinds == {"event handler", "dangerous URL", "script", "forbidden element",
                     "script ran"}, report.findings
    cases = {finding.case for finding in report.findings if finding.case is not None}
    assert cases == set(UNSAFE) - HARMLESS
    ran = [finding.detail for finding in report.findings if finding.kind == "script ran"]
    assert any(detail.startswith("alert(1)") for detail in ran), ran
    assert any(detail.startswith("confirm(3)") for detail in ran), ran


def test_the_inspector_moves_to_fresh_contexts_keeping_its_session_and_hooks(
        app, new_page, live_server, member, monkeypatch):
    """A long run opens its pages in a fresh browser context every so often: the session
    goes along, and the hooks still catch what runs."""
    app.add_url_rule("/test-only/unsafe", "test_only_unsafe", _unsafe_page)
    monkeypatch.setattr(browser, "PAGES_PER_CONTEXT", 1)
    client = app.test_client()
    log_in(client, member)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    inspector = Inspector(lambda: new_page(bypass_csp=True))
    inspector.use_session(live_server, cookie_name, client.get_cookie(cookie_name).value)
    contexts = set()

    for _ in range(3):
        inspector.open("/account")
        contexts.add(inspector.page.context)
        assert inspector.page.url == f"{live_server}/account"  # still signed in
    report = inspector.open("/test-only/unsafe")

    assert len(contexts) == 3
    assert "script ran" in {finding.kind for finding in report.findings}


class _KeepsEverything:
    """A 'cleaner' that cleans nothing."""

    def clean(self, html: str) -> str:
        return html


def test_the_run_catches_an_unsafe_renderer(app, new_page, live_server, accounts, seed_idea,
                                            monkeypatch):
    """With Markdown rendered raw (HTML allowed, nothing cleaned), the same run fails and
    names the payload: it looks at the pages where stored text is shown."""
    raw = sanitize._Tools(MarkdownIt("commonmark", {"html": True}), _KeepsEverything(),
                          _KeepsEverything())
    monkeypatch.setattr(sanitize, "_tools", lambda: raw)

    with pytest.raises(AssertionError, match="planted payloads ran") as failure:
        check_payloads(app, new_page, live_server, accounts, seed_idea, list(OWN_PAYLOADS))

    assert "payload: '<img src=x onerror=alert(1)>'" in str(failure.value)
