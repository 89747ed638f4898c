"""Host nominations with consent, and "I'd like to host": the nominee is asked once, their
votes stay the caretaker's until they agree, a decline hides the idea for good, one address
once in 90 days; members offer to host, and the caretaker picks either as a chat's host."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Consent, Idea, Nomination, utcnow
from ideaboard.services import nominations, votes
from ideaboard.services.categories import by_slug
from tests.conftest import database_snapshot, post_form, queued_mail, sign_in

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
