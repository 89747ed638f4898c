"""Host nominations with consent, and "I'd like to host": the nominee is asked once, their
votes stay the caretaker's until they agree, a decline hides the idea for good, one address
once in 90 days; members offer to host, and the caretaker picks either as a chat's host."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.caretaker.views import HOSTS_WHEN_PLANNING
from ideaboard.extensions import db
from ideaboard.models import Consent, HostOffer, Idea, Nomination, utcnow
from ideaboard.services import nominations, votes
from ideaboard.services.categories import by_slug
from tests.conftest import database_snapshot, post_form, queued_mail, sign_in
from tests.test_query_counts import counting_queries

NOMINEE = "dr.jane@example.net"


@pytest.fixture
def caretaker_client(app, caretaker):
    """The caretaker in a browser of their own (`member_client` is the suite's `client`)."""
    return sign_in(app.test_client(), caretaker)


def _host_category(app) -> int:
    with app.app_context():
        return by_slug(nominations.HOST_CATEGORY).id


def _nominate(app, client, email: str | None = NOMINEE, **extra):
    return post_form(client, "/ideas/new", {
        "title": "Invite Dr Jane Doe, who led an EHR go-live",
        "description": "She is honest about what went wrong.",
        "category": _host_category(app), "nominee_name": "Jane Doe",
        "nominee_handle": "@drjane", "nominee_email": email or "", **extra})


def _idea(app) -> Idea:
    with app.app_context():
        idea = db.session.scalar(select(Idea))
        db.session.expunge(idea)
        return idea


def _links(app) -> dict[str, str]:
    [mail] = queued_mail(app, NOMINEE)
    found = re.findall(r"http://[^/]+(/hosting/nominations/\S+/(accept|decline))",
                       mail.text_body)
    return {answer: path for path, answer in found}


def _vote(app, make_user, idea_id: int, n: int) -> None:
    voters = [make_user(f"Voter {k}") for k in range(n)]
    with app.app_context():
        for voter in voters:
            votes.cast_vote(voter.id, idea_id)
        db.session.commit()


def test_a_nominee_is_asked_once_and_their_votes_wait_for_their_yes(
        app, member_client, visitor, caretaker_client, make_user):
    response = _nominate(app, member_client)

    assert response.status_code == 302
    idea = _idea(app)
    assert idea.awaiting_consent
    _vote(app, make_user, idea.id, 3)
    page = visitor.get(f"/ideas/{idea.id}", follow_redirects=True).get_data(as_text=True)
    assert "Awaiting the nominee" in page and "Jane Doe" in page and "@drjane" in page
    assert NOMINEE not in page
    assert "votes shown once the person proposed agrees" in page
    assert '<span class="vote-count">3</span>' not in page and "Why it ranks here" not in page
    board = visitor.get("/").get_data(as_text=True)
    assert "votes shown once the person proposed agrees" in board
    assert visitor.get(f"/api/v1/ideas/{idea.id}").get_json()["votes"] is None
    voted = post_form(member_client, f"/ideas/{idea.id}/vote", {"intent": "vote"},
                      headers={"Accept": "application/json"})
    assert voted.get_json() == {"voted": True, "vote_count": None}
    desk = caretaker_client.get("/caretaker").get_data(as_text=True)
    assert re.search(r"Invite Dr Jane Doe.*?<td class=\"num\">4</td>", desk, re.S)
    [mail] = queued_mail(app, NOMINEE)
    assert "Invite Dr Jane Doe" in mail.text_body and "the only mail" in mail.text_body


def test_the_nominee_agrees_and_the_votes_show(app, member_client, make_user):
    _nominate(app, member_client)
    idea = _idea(app)
    _vote(app, make_user, idea.id, 2)
    nominee = app.test_client()  # no account, no session but the page's own

    asked = nominee.get(_links(app)["accept"])
    answered = post_form(nominee, _links(app)["accept"])

    assert "Yes, I agree to be proposed" in asked.get_data(as_text=True)
    assert answered.status_code == 200 and "you agreed" in answered.get_data(as_text=True)
    assert not _idea(app).awaiting_consent
    page = app.test_client().get(f"/ideas/{idea.id}", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "They agreed to be proposed." in html and '<span class="vote-count">2</span>' in html


def test_a_declined_nomination_is_hidden_for_good(app, member_client, caretaker_client):
    _nominate(app, member_client)
    idea = _idea(app)
    nominee = app.test_client()

    post_form(nominee, _links(app)["decline"])
    again = post_form(nominee, _links(app)["accept"])  # the first answer stands

    assert "withdrawn and will not be shown again" in again.get_data(as_text=True)
    assert app.test_client().get(f"/ideas/{idea.id}").status_code == 404
    with app.app_context():
        assert db.session.get(Nomination, idea.id).consent is Consent.DECLINED
    restored = post_form(caretaker_client, f"/caretaker/ideas/{idea.id}/restore")
    assert restored.status_code == 409
    assert _idea(app).hidden_at is not None


def test_one_address_is_nominated_once_in_ninety_days(app, member_client):
    _nominate(app, member_client)
    before = database_snapshot(app)

    again = _nominate(app, member_client, email="DR.JANE@example.net")

    assert again.status_code == 400
    assert "proposed in the last 90 days" in again.get_data(as_text=True)
    assert database_snapshot(app) == before
    with app.app_context():
        assert nominations.recently_nominated(NOMINEE)
        assert not nominations.recently_nominated(NOMINEE, now=utcnow() + timedelta(days=91))


def test_without_an_email_nobody_is_asked(app, member_client, make_user, visitor):
    _nominate(app, member_client, email=None)
    idea = _idea(app)
    _vote(app, make_user, idea.id, 1)

    assert not idea.awaiting_consent and queued_mail(app, NOMINEE) == []
    page = visitor.get(f"/ideas/{idea.id}", follow_redirects=True).get_data(as_text=True)
    assert '<span class="vote-count">1</span>' in page


@pytest.mark.parametrize(("extra", "error"), [
    ({"category": "1", "nominee_handle": ""}, "Only ideas in “Host to invite” propose a person."),
    ({"nominee_name": ""}, "Please give the name of the person you propose."),
])
def test_a_nominee_belongs_to_a_host_idea_and_has_a_name(app, member_client, extra, error):
    with app.app_context():
        other = by_slug("other").id
    if extra.get("category"):
        extra = {**extra, "category": other}
    before = database_snapshot(app)

    response = _nominate(app, member_client, **extra)

    assert response.status_code == 400 and error in response.get_data(as_text=True)
    assert database_snapshot(app) == before


@pytest.mark.parametrize("path", ["/hosting/nominations/not-a-token/accept",
                                  "/hosting/nominations/WzEsIngiXQ.forged/decline"])
def test_a_link_that_is_not_genuine_is_not_found(visitor, path):
    assert visitor.get(path).status_code == 404


def test_a_member_offers_to_host_and_the_caretaker_can_pick_them(
        app, client, member, caretaker_client, visitor):
    assert "Log in</a> or" in visitor.get("/hosting").get_data(as_text=True)
    sign_in(client, member)

    offered = post_form(client, "/hosting", {"topics": "Nursing informatics; alert fatigue"})

    assert offered.status_code == 302
    plan = caretaker_client.get("/caretaker/chats/new").get_data(as_text=True)
    assert "Nursing informatics; alert fatigue" in plan
    assert re.search(r'href="/caretaker/chats/new\?host=member\d+(@|%40)example.org"', plan)
    prefilled = caretaker_client.get(f"/caretaker/chats/new?host={member.email}")
    assert f'value="{member.email}"' in prefilled.get_data(as_text=True)
    post_form(client, "/hosting/withdraw")
    assert "alert fatigue" not in caretaker_client.get("/caretaker/chats/new").get_data(
        as_text=True)


def test_an_offer_needs_topics(app, client, member):
    sign_in(client, member)
    before = database_snapshot(app)
    response = post_form(client, "/hosting", {"topics": "  "})
    assert response.status_code == 400 and "Please say what you could host" in \
        response.get_data(as_text=True)
    assert database_snapshot(app) == before


def test_an_accepted_nominee_is_offered_as_host_but_an_awaiting_one_is_not(
        app, member_client, caretaker_client):
    _nominate(app, member_client)
    idea = _idea(app)
    plan = caretaker_client.get("/caretaker/chats/new").get_data(as_text=True)
    assert "@drjane" not in plan and f'value="{idea.id}"' not in plan  # not asked yet

    post_form(app.test_client(), _links(app)["accept"])

    plan = caretaker_client.get("/caretaker/chats/new").get_data(as_text=True)
    assert re.search(rf"/caretaker/chats/new\?host=(@|%40)drjane&amp;idea={idea.id}", plan)
    assert f'value="{idea.id}"' in plan


def test_a_nominees_name_and_handle_are_shown_as_text(app, member_client, visitor):
    _nominate(app, member_client, email=None, nominee_name="<b>Jane</b>",
              nominee_handle="<script>x()</script>")

    page = visitor.get(f"/ideas/{_idea(app).id}", follow_redirects=True).get_data(as_text=True)

    assert "&lt;b&gt;Jane&lt;/b&gt;" in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<script>x()" not in page


def _offers(app, make_user, count: int) -> list[str]:
    """`count` members' offers, a minute apart: their topics, newest first."""
    users = [make_user(f"Offerer {k}") for k in range(count)]
    now = utcnow()
    with app.app_context():
        for k, user in enumerate(users):
            db.session.add(HostOffer(user_id=user.id, topics=f"Topic number {k:03d}",
                                     created_at=now - timedelta(minutes=k)))
        db.session.commit()
    return [f"Topic number {k:03d}" for k in range(count)]


def _shown(html: str) -> list[str]:
    return re.findall(r"Topic number \d{3}", html)


def test_every_offer_is_on_the_hosts_page_a_page_at_a_time(app, make_user, caretaker_client):
    topics = _offers(app, make_user, nominations.HOSTS_PER_PAGE + 7)

    plan = caretaker_client.get("/caretaker/chats/new").get_data(as_text=True)
    assert _shown(plan) == topics[:HOSTS_WHEN_PLANNING]
    assert 'href="/caretaker/hosts">All members who offered' in plan
    first = caretaker_client.get("/caretaker/hosts").get_data(as_text=True)
    assert _shown(first) == topics[:nominations.HOSTS_PER_PAGE]
    [after] = re.findall(r'href="(/caretaker/hosts\?after=\d+)" rel="next"', first)
    second = caretaker_client.get(after).get_data(as_text=True)
    assert _shown(second) == topics[nominations.HOSTS_PER_PAGE:]
    assert 'rel="next"' not in second


def test_the_hosts_page_lists_nominees_most_voted_first(app, member_client, make_user,
                                                       caretaker_client):
    for name in ("Ann Lee", "Bo Chen", "Cy Park"):
        _nominate(app, member_client, email=None, nominee_name=name,
                  title=f"Invite {name}", nominee_handle="")
    with app.app_context():
        ids = dict(db.session.execute(select(Nomination.name, Nomination.idea_id)).all())
    _vote(app, make_user, ids["Bo Chen"], 2)
    _vote(app, make_user, ids["Cy Park"], 1)

    page = caretaker_client.get("/caretaker/hosts?show=nominees").get_data(as_text=True)
    assert re.findall(r"<strong>([A-Za-z ]+)</strong>", page) == ["Bo Chen", "Cy Park",
                                                                  "Ann Lee"]
    with app.app_context():
        one = nominations.proposed_hosts(per_page=1)
        two = nominations.proposed_hosts(after=one.next_after, per_page=2)
        assert [n.name for n in one.items + two.items] == ["Bo Chen", "Cy Park", "Ann Lee"]
        assert two.next_after is None


def test_the_hosts_page_shows_offers_or_nominees_and_nothing_else(caretaker_client):
    assert caretaker_client.get("/caretaker/hosts?show=everyone").status_code == 400
    assert "No offers yet" in caretaker_client.get("/caretaker/hosts").get_data(as_text=True)


def test_the_hosts_pages_cost_the_same_with_more_hosts(app, make_user, caretaker_client,
                                                      member_client):
    def queries() -> list[int]:
        counts = []
        for path in ("/caretaker/hosts", "/caretaker/hosts?show=nominees",
                     "/caretaker/chats/new"):
            with counting_queries(app) as statements:
                assert caretaker_client.get(path).status_code == 200
            counts.append(len(statements))
        return counts

    _offers(app, make_user, 2)
    _nominate(app, member_client, email=None, title="Invite one host")
    few = queries()
    _offers(app, make_user, 12)
    for k in range(5):
        _nominate(app, member_client, email=None, title=f"Invite host {k}")
    assert queries() == few
