"""A review in a real browser: the caretaker starts one from the desk, reads what moved
since the last, publishes a summary, and a visitor finds it on /decisions with the
decisions before it, on a phone too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, User
from ideaboard.services import ideas, votes
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e


def test_review_then_summary_on_decisions(app, new_page, caretaker, make_idea, make_user):
    cmio, ama = make_idea("Invite a CMIO"), make_idea("Monthly AMA")
    with app.app_context():
        ideas.respond(db.session.get(Idea, ama), Status.PLANNED, "Booked for January.",
                      db.session.get(User, caretaker.id))
        db.session.commit()
    desk = new_page()
    log_in(desk, caretaker.email)
    desk.goto("/caretaker")
    desk.get_by_role("button", name="Start a review").click()
    expect(desk.get_by_text("This is the first review")).to_be_visible()
    voters = [make_user(f"Voter {n}") for n in range(2)]
    with app.app_context():
        for voter in voters:
            votes.cast_vote(voter.id, cmio)
        db.session.commit()
    desk.goto("/caretaker/reviews")
    desk.get_by_role("button", name="Start a review").click()
    first_row = desk.get_by_role("table").locator("tbody tr").first
    expect(first_row).to_contain_text("Invite a CMIO")
    expect(first_row).to_contain_text("up 1")
    expect(first_row.get_by_role("img")).to_have_attribute(
        "aria-label", "Votes per week, oldest first: 0, 0, 0, 0, 0, 0, 0, 2")
    summary = label(desk, "Public summary")
    save = desk.get_by_role("button", name="Save the summary")
    check_page(desk, summary, save)
    summary.fill("You asked for a **CMIO**: we are inviting one.")
    save.click()
    expect(desk.get_by_text("Summary saved")).to_be_visible()

    visitor = new_page()
    visitor.goto("/")
    visitor.get_by_role("link", name="Decisions").click()
    expect(visitor.locator(".decision-review strong")).to_have_text("CMIO")
    expect(visitor.get_by_text("Booked for January.")).to_be_visible()
    status = label(visitor, "Show status")
    check_page(visitor, status, visitor.get_by_role("link", name="Monthly AMA"))
    status.select_option(label="Planned")
    visitor.get_by_role("button", name="Filter").click()
    expect(visitor.get_by_role("link", name="Monthly AMA")).to_be_visible()
    expect(visitor.locator(".decision-review")).to_have_count(0)
