"""Following an idea, choosing what to hear, and leaving the board, in a real browser:
each page accessible and usable on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models import Delivery, Idea, User
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e


def test_a_member_follows_chooses_what_to_hear_and_leaves(app, page: Page, member, make_idea):
    idea_id = make_idea("A chat on open notes")
    log_in(page, member.email)

    page.goto(f"/ideas/{idea_id}")
    page.get_by_role("button", name="Follow this idea").click()
    unfollow = page.get_by_role("button", name="Unfollow this idea")
    expect(unfollow).to_be_visible()
    check_page(page, unfollow)

    page.get_by_role("link", name="what you hear of it").click()
    save = page.get_by_role("button", name="Save settings")
    check_page(page, save)
    page.get_by_role("group", name="When someone replies to your comment").get_by_label(
        "In the weekly digest").check()
    save.click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()

    page.goto("/account")
    page.get_by_role("link", name="Delete my account…").click()
    delete = page.get_by_role("button", name="Delete my account")
    check_page(page, delete)
    page.get_by_label("Keep them on the board, signed “A former member”").check()
    label(page, "Current password").fill(PASSWORD)
    delete.click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.is_deleted and user.notify_replies is Delivery.DIGEST
        assert db.session.get(Idea, idea_id) is not None
