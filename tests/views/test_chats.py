"""Planning chats from ideas, their questions as posts, the public schedule and calendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from ideaboard.caretaker.forms import _zone_options
from ideaboard.extensions import db
from ideaboard.models import AuditEntry, AuditKind, Chat, ChatQuestion, Status, utcnow
from ideaboard.services import categories, chats, settings
from tests.conftest import get_idea, post_form

# Noon in New York a month from now: the chat stays upcoming whenever the tests run.
NOON = (datetime.now(ZoneInfo("America/New_York")) + timedelta(days=30)).replace(
    hour=12, minute=0, second=0, microsecond=0)
NOON_SHOWN = f"{NOON:%A} {NOON.day} {NOON:%B %Y}, 12:00 {NOON.tzname()}"

QUESTIONS = {
    "question_1": "What is the hardest part of a FHIR project?",
    "question_2": "Which tools helped you most?",
    "question_3": "What would you tell a beginner?",
}


def _category(app, slug: str) -> int:
    with app.app_context():
        return categories.by_slug(slug).id


@pytest.fixture
def topic_and_host(app, make_idea):
    topic = make_idea("FHIR APIs for beginners",
                      category=_category(app, "topic-for-a-future-chat"))
    host = make_idea("Invite a FHIR developer", category=_category(app, "host-to-invite"))
    return topic, host


def _plan(client, idea_ids, **changes):
    form = {"ideas": [str(i) for i in idea_ids], "title": "FHIR for beginners",
            "starts_at": f"{NOON:%Y-%m-%d}T12:00", "time_zone": "America/New_York",
            "host": "@fhirdev", **QUESTIONS, **changes}
    return post_form(client, "/caretaker/chats/new", form)


def test_planning_a_chat_moves_its_ideas_to_planned_and_links_them(
        app, caretaker_client, visitor, topic_and_host):
    form = caretaker_client.get("/caretaker/chats/new").get_data(as_text=True)
    assert "FHIR APIs for beginners" in form and "Invite a FHIR developer" in form
    response = _plan(caretaker_client, topic_and_host)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        chat = db.session.scalar(select(Chat))
        assert chat.starts_at == NOON.astimezone(UTC)
        assert [q.text for q in chat.questions] == list(QUESTIONS.values())
        assert {i.id for i in chat.ideas} == set(topic_and_host)
        kinds = list(db.session.scalars(select(AuditEntry.kind)))
    assert kinds.count(AuditKind.STATUS) == 2 and AuditKind.CHAT in kinds
    for idea_id in topic_and_host:
        assert get_idea(app, idea_id).status is Status.PLANNED
    idea_page = visitor.get(f"/ideas/{topic_and_host[0]}", follow_redirects=True).get_data(
        as_text=True)
    assert "Planned for the chat" in idea_page and "FHIR for beginners" in idea_page
    public = visitor.get("/chats").get_data(as_text=True)
    upcoming = public.split('id="chats-heading"')[1]
    assert "FHIR for beginners" in upcoming and "@fhirdev" in upcoming
    assert f"{NOON_SHOWN} ({NOON.astimezone(UTC):%H:%M} UTC)" in upcoming
    assert "Which tools helped you most?" in upcoming and "FHIR APIs for beginners" in upcoming


def test_a_chat_needs_three_to_six_questions_a_host_and_fitting_ideas(
        app, caretaker_client, topic_and_host, make_idea):
    format_idea = make_idea("A video chat", category=_category(app, "chat-format"))
    cases = [
        ({"question_3": ""}, "3 to 6 questions"),
        ({"host": ""}, "Please name a host"),
        ({"host": "nobody@example.org"}, "No member has that email"),
        ({"host": "@" + "h" * 50}, "A handle is at most 50 characters"),
        ({"ideas": [str(format_idea)]}, "cannot become a chat"),
        ({"ideas": []}, "Please tick at least one"),
        ({"time_zone": "Mars/Olympus"}, "Not a valid choice"),
        ({"starts_at": "next friday"}, "Not a valid datetime"),
        ({"starts_at": "0001-01-01T00:00"}, "Please give a date between"),
        ({"starts_at": "9999-12-31T23:59", "time_zone": "Pacific/Kiritimati"},
         "Please give a date between"),
    ]
    for changes, message in cases:
        response = _plan(caretaker_client, topic_and_host, **changes)
        assert response.status_code == 400, changes
        assert message in response.get_data(as_text=True), changes
    with app.app_context():
        assert db.session.scalar(select(Chat)) is None
    assert {get_idea(app, i).status for i in topic_and_host} == {Status.OPEN}


def test_a_refused_plan_keeps_the_chosen_time_zone_in_a_menu_of_every_zone(
        app, caretaker_client, topic_and_host):
    page = _plan(caretaker_client, topic_and_host, time_zone="Europe/Paris",
                 host="").get_data(as_text=True)

    zones = re.findall(r'<option( selected)? value="([^"]+)">\2</option>', page)
    assert [zone for selected, zone in zones if selected] == ["Europe/Paris"]
    assert {"America/New_York", "Asia/Kolkata", "Pacific/Auckland"} <= {z for _s, z in zones}
    assert '<select id="time_zone" name="time_zone">' in page


def test_a_posted_time_zone_that_is_no_zone_is_refused_and_not_kept(
        app, caretaker_client, topic_and_host):
    _zone_options.cache_clear()
    for n in range(3):
        response = _plan(caretaker_client, topic_and_host, time_zone=f"Nope/{n}" * 10_000)
        assert response.status_code == 400
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert _zone_options.cache_info().currsize == 1  # the menu with nothing chosen, once


def test_a_member_can_host(app, caretaker_client, topic_and_host, member):
    _plan(caretaker_client, topic_and_host, host=member.email.upper())
    with app.app_context():
        assert db.session.scalar(select(Chat)).host_name == member.display_name


def test_questions_are_ready_to_post_and_warn_when_too_long(app, caretaker_client,
                                                            topic_and_host, caretaker):
    long_question = "Why " + "so " * 90 + "long?"
    _plan(caretaker_client, topic_and_host, question_2=long_question)
    with app.app_context():
        chat_id = db.session.scalar(select(Chat.id))
    page = caretaker_client.get(f"/caretaker/chats/{chat_id}").get_data(as_text=True)
    assert "T1 What is the hardest part of a FHIR project? #HITsm" in page
    assert "Too long by" in page and "shorten T2" in page
    assert page.count("Too long by") == 1
    assert "Copy questions" in page
    with app.app_context():
        settings.change(caretaker, post_limit=500, chat_hashtag="#HITchat")
        db.session.commit()
    page = caretaker_client.get(f"/caretaker/chats/{chat_id}").get_data(as_text=True)
    assert "Too long by" not in page and "T3 What would you tell a beginner? #HITchat" in page


def test_posts_count_the_hashtag_against_the_limit():
    chat = Chat(title="t")
    text = "x" * (280 - len("T1  #HITsm"))
    chat.questions = [ChatQuestion(position=1, text=text),
                      ChatQuestion(position=2, text=text + "y")]
    first, second = chats.posts(chat, "#HITsm", 280)
    assert (first.length, first.too_long) == (280, False)
    assert (second.length, second.too_long) == (281, True)


def test_marking_a_chat_held_marks_its_ideas_done(app, caretaker_client, visitor,
                                                  topic_and_host):
    _plan(caretaker_client, topic_and_host, starts_at="2020-01-10T12:00")
    with app.app_context():
        chat_id = db.session.scalar(select(Chat.id))
    response = post_form(caretaker_client, f"/caretaker/chats/{chat_id}/done")
    assert response.status_code == 302
    assert {get_idea(app, i).status for i in topic_and_host} == {Status.DONE}
    assert "FHIR for beginners" not in visitor.get("/chats").get_data(as_text=True)
    past = visitor.get("/chats?show=past").get_data(as_text=True)
    assert "FHIR for beginners" in past.split('id="chats-heading"')[1]
    page = visitor.get(f"/ideas/{topic_and_host[0]}", follow_redirects=True).get_data(
        as_text=True)
    assert "Discussed in the chat" in page


def test_the_calendar_feed_lists_upcoming_chats(app, caretaker_client, visitor,
                                                topic_and_host):
    _plan(caretaker_client, topic_and_host)
    response = visitor.get("/chats.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.get_data())
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "#HITsm chat: FHIR for beginners"
    assert event.decoded("dtstart") == NOON.astimezone(UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=1)
    assert "T2 Which tools helped you most?" in str(event["description"])
    assert 'type="text/calendar"' in visitor.get("/chats").get_data(as_text=True)


def test_chats_are_paged_soonest_first(app, caretaker, visitor):
    with app.app_context():
        start = utcnow() + timedelta(days=1)
        for n in range(3):
            db.session.add(Chat(title=f"Chat {n}", starts_at=start + timedelta(days=n),
                                time_zone="UTC", host_handle="@h"))
        db.session.commit()
        first = chats.chats_page(True, per_page=2)
        assert [c.title for c in first.items] == ["Chat 0", "Chat 1"]
        second = chats.chats_page(True, after=first.next_after, per_page=2)
        assert [c.title for c in second.items] == ["Chat 2"] and second.next_after is None
    assert visitor.get("/chats?show=soon").status_code == 400
