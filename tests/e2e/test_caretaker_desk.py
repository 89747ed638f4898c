"""The caretaker's desk in a real browser, driven by the names people see: triage the
ideas waiting for a response, merge a duplicate and undo it, plan a chat and copy its
questions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.services import categories, comments, votes
from tests.conftest import get_idea
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e

QUESTIONS = ("What was your first FHIR project?", "Which resources first?",
             "What would help small practices?")


@pytest.fixture
def board(app, make_idea, make_user):
    """Two duplicates about FHIR (the second with a vote and a comment) and a host idea."""
    with app.app_context():
        topic = categories.by_slug("topic-for-a-future-chat").id
        host = categories.by_slug("host-to-invite").id
    ideas = {
        "fhir": make_idea("FHIR APIs for beginners", category=topic),
        "duplicate": make_idea("A beginners' chat on FHIR", category=topic),
        "host": make_idea("Invite a FHIR developer", category=host),
    }
    voter = make_user("Voter")
    with app.app_context():
        votes.cast_vote(voter.id, ideas["duplicate"])
        comments.add_guest_comment(get_idea(app, ideas["duplicate"]), "Vera", None,
                                   "Yes, for beginners please")
        db.session.commit()
    return ideas


def triage(desk: Page) -> None:
    """Both open ideas wait for a response; tick them and set them Under review at once."""
    desk.goto("/caretaker")
    desk.get_by_role("link", name="Needs a response").click()
    table = desk.get_by_role("table")
    expect(table.locator("tbody").get_by_role("row")).to_have_count(3)
    tick_fhir = desk.get_by_label("Tick “FHIR APIs for beginners”")
    tick_host = desk.get_by_label("Tick “Invite a FHIR developer”")
    button = desk.get_by_role("button", name="Change status of ticked ideas")
    check_page(desk, tick_fhir, button)
    tick_fhir.check()
    tick_host.check()
    label(desk, "New status for the ticked ideas").select_option(label="Under review")
    label(desk, "Official response for each (optional)").fill("Looking at these for June.")
    button.click()
    expect(desk.get_by_text("2 ideas set to “Under review”.")).to_be_visible()
    expect(desk.get_by_role("table").locator("tbody").get_by_role("row")).to_have_count(1)


def merge_and_undo(desk: Page, ideas: dict[str, int]) -> None:
    desk.goto(f"/ideas/{ideas['duplicate']}")
    merge_into = label(desk, "Merge into")
    merge = desk.get_by_role("button", name="Merge", exact=True)
    check_page(desk, merge_into, merge)
    merge_into.fill(str(ideas["fhir"]))
    merge.click()
    expect(desk.get_by_role("heading", name="FHIR APIs for beginners")).to_be_visible()
    expect(desk.get_by_role("region", name="Merged into this idea")).to_contain_text(
        "A beginners' chat on FHIR")
    expect(desk.get_by_text("Yes, for beginners please")).to_be_visible()
    expect(desk.get_by_text("From the merged idea “A beginners' chat on FHIR”")).to_be_visible()
    desk.goto(f"/ideas/{ideas['duplicate']}")
    undo = desk.get_by_role("button", name="Undo merge")
    check_page(desk, undo)
    undo.click()
    expect(desk.get_by_text("The merge is undone")).to_be_visible()
    expect(desk.get_by_text("Yes, for beginners please")).to_be_visible()


def plan_a_chat_and_copy_its_questions(desk: Page) -> None:
    desk.goto("/caretaker/chats")
    desk.get_by_role("link", name="Plan a chat").click()
    title = label(desk, "Title")
    plan = desk.get_by_role("button", name="Plan the chat")
    check_page(desk, title, plan)
    desk.get_by_label("FHIR APIs for beginners").check()
    desk.get_by_label("Invite a FHIR developer").check()
    title.fill("FHIR for the rest of us")
    label(desk, "Date and time").fill("2030-01-04T12:00")
    label(desk, "Time zone").select_option("America/New_York")
    label(desk, "Host").fill("@fhir_friend")
    for number, question in enumerate(QUESTIONS, start=1):
        label(desk, f"Question T{number}").fill(question)
    plan.click()
    expect(desk.get_by_role("heading", name="FHIR for the rest of us")).to_be_visible()
    copy = desk.get_by_role("button", name="Copy questions")
    check_page(desk, copy)
    copy.click()
    expect(desk.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    copied = desk.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines() == [f"T{n} {q} #HITsm" for n, q in enumerate(QUESTIONS, 1)]


def test_triage_merge_undo_plan_a_chat_and_copy_its_questions(
        new_page: Callable[..., Page], caretaker, board) -> None:
    desk = new_page(permissions=["clipboard-read", "clipboard-write"])
    log_in(desk, caretaker.email)
    triage(desk)
    merge_and_undo(desk, board)
    plan_a_chat_and_copy_its_questions(desk)
    public = new_page()
    public.goto("/chats")
    chat = public.get_by_role("article", name="FHIR for the rest of us")
    check_page(public, chat)
    expect(chat).to_contain_text("Which resources first?")
    expect(chat).to_contain_text("@fhir_friend")
