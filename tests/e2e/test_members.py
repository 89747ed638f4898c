"""Profiles in a real browser: a member writes theirs from the account page, and anyone
reaches it from their name on an idea; "My votes" lists what they vote for. Each page
accessible and usable on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.services import votes
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e


def test_a_member_writes_a_profile_that_anyone_finds_from_their_idea(
        app, page: Page, new_page, member, make_idea):
    idea_id = make_idea("A chat on open notes", author=member)
    with app.app_context():
        votes.set_vote(member.id, idea_id, True)
        db.session.commit()
    log_in(page, member.email)
    page.goto("/account")
    page.get_by_role("link", name="edit").click()
    save = page.get_by_role("button", name="Save profile")
    check_page(page, label(page, "Display name"), label(page, "About you"), save)
    label(page, "Your handle on the chat's network").fill("@ana_hitsm")
    label(page, "About you").fill("Nurse, chat regular since 2014.")
    save.click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    page.goto("/account/votes")
    expect(page.get_by_role("link", name="A chat on open notes")).to_be_visible()
    check_page(page, page.get_by_role("button", name="Upvote"))

    visitor = new_page()
    visitor.goto(f"/ideas/{idea_id}")
    visitor.get_by_role("link", name=member.display_name).click()
    expect(visitor.get_by_role("heading", name=member.display_name, level=1)).to_be_visible()
    expect(visitor.get_by_text("@ana_hitsm")).to_be_visible()
    expect(visitor.get_by_text("Nurse, chat regular since 2014.")).to_be_visible()
    check_page(visitor, visitor.get_by_role("link", name="A chat on open notes"),
               visitor.get_by_role("link", name="Comments", exact=True))
