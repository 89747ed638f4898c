"""API tokens in a real browser, by the names people see: create one from the account page,
copy it from the one page that shows it, revoke it; the page accessible and usable on a
phone while the long token is shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_page
from tests.e2e.test_journey import account_nav, label, log_in

pytestmark = pytest.mark.e2e


def test_create_copy_once_and_revoke(page: Page, member):
    log_in(page, member.email, check=False)
    account_nav(page).get_by_role("link", name="Account").click()
    label(page, "Token name").fill("Nightly export")
    page.get_by_role("button", name="Create token").click()

    shown = page.locator("code.secret")
    expect(shown).to_have_text(re.compile(r"^ib_[A-Za-z0-9_-]{40,}$"))
    expect(page.get_by_role("heading", name="Your new token “Nightly export”")).to_be_visible()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    revoke = page.get_by_role("button", name="Revoke Nightly export")
    check_page(page, shown, revoke, page.get_by_role("button", name="Create token"))

    account_nav(page).get_by_role("link", name="Account").click()
    expect(page.locator("code.secret")).to_have_count(0)
    expect(page.get_by_role("rowheader", name="Nightly export")).to_be_visible()
    page.get_by_role("button", name="Revoke Nightly export").click()
    expect(page.get_by_text("The token is revoked")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Nightly export")).to_have_count(0)
