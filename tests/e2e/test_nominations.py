"""A host nomination in real browsers, start to end: a member proposes someone, the nominee
agrees from the link in their one mail (no account), and the caretaker plans a chat with
them as host."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import queued_mail
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e

NOMINEE = "dr.jane@example.net"


def test_nominate_then_consent_then_plan_the_chat(app, new_page, member, caretaker):
    author = new_page()
    log_in(author, member.email)
    author.goto("/ideas/new")
    label(author, "Title").fill("Invite Dr Jane Doe, who led an EHR go-live")
    label(author, "Description").fill("She is honest about what went wrong.")
    label(author, "Category").select_option(label="Host to invite")
    label(author, "Their name").fill("Jane Doe")
    label(author, "Their handle").fill("@drjane")
    label(author, "Their email").fill(NOMINEE)
    author.get_by_role("button", name="Post idea").click()
    expect(author.get_by_text("Awaiting the nominee")).to_be_visible()

    [mail] = queued_mail(app, NOMINEE)
    accept = re.search(r"http://[^/]+(/hosting/nominations/\S+/accept)", mail.text_body)
    nominee = new_page()
    nominee.goto(accept.group(1))
    agree = nominee.get_by_role("button", name="Yes, I agree to be proposed")
    check_page(nominee, agree)
    agree.click()
    expect(nominee.get_by_text("you agreed to be proposed")).to_be_visible()

    desk = new_page()
    log_in(desk, caretaker.email)
    desk.goto("/caretaker/chats/new")
    desk.get_by_role("link", name="Make host Jane Doe").click()
    expect(label(desk, "Host")).to_have_value("@drjane")
    expect(desk.get_by_label("Invite Dr Jane Doe, who led an EHR go-live")).to_be_checked()
    check_page(desk, label(desk, "Host"))
    label(desk, "Title").fill("Lessons from a go-live")
    label(desk, "Date and time").fill("2030-01-04T12:00")
    for number, question in enumerate(("What surprised you?", "What would you redo?",
                                       "What should small hospitals know?"), start=1):
        label(desk, f"Question T{number}").fill(question)
    desk.get_by_role("button", name="Plan the chat").click()
    expect(desk.get_by_text("The chat is planned")).to_be_visible()

    author.goto("/chats")
    expect(author.get_by_text("@drjane")).to_be_visible()
