"""The weekly digest by email in a real browser: a visitor finds the sign-up in the footer,
asks, follows the link from the mail and confirms."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import queued_mail
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label

pytestmark = pytest.mark.e2e


def test_a_visitor_signs_up_and_confirms(app, page: Page):
    page.goto("/")
    page.get_by_role("link", name="Weekly digest by email").click()
    email = label(page, "Email")
    button = page.get_by_role("button", name="Send me the weekly digest")
    check_page(page, email, button)
    email.fill("maria@example.net")
    button.click()
    expect(page.get_by_text("a mail with a link to confirm is on its way")).to_be_visible()

    [mail] = queued_mail(app, "maria@example.net")
    page.goto(re.search(r"http://[^/]+(/newsletter/confirm/\S+)", mail.text_body).group(1))
    confirm = page.get_by_role("button", name="Yes, send me the weekly digest")
    check_page(page, confirm)
    confirm.click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
