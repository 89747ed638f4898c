"""The health-data guardrail in a real browser: the author sees what looked like someone's
health information marked in place, ticks the box, and the idea is published and flagged."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in

pytestmark = pytest.mark.e2e


def test_the_author_confirms_what_the_guardrail_points_out(page: Page, member, caretaker,
                                                            new_page):
    log_in(page, member.email)
    page.goto("/ideas/new")
    label(page, "Title").fill("Open notes for every patient")
    label(page, "Description").fill("My patient John Smith asked for it last week.")
    label(page, "Category").select_option(index=1)
    page.get_by_role("button", name="Post idea").click()

    notice = page.get_by_role("alert").filter(has_text="Before this is published")
    expect(notice.locator("mark")).to_have_text("patient John Smith")
    tick = page.get_by_label("Publish it anyway")
    check_page(page, tick, page.get_by_role("button", name="Post idea"))
    tick.check()
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open notes for every patient")

    desk = new_page()
    log_in(desk, caretaker.email)
    desk.goto("/caretaker/queue")
    expect(desk.get_by_text("Shares personal health information")).to_be_visible()
