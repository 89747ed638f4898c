"""Webhooks in a real browser: the caretaker adds one, sends a test, and reads that it
arrived."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ideaboard.services import webhooks
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import label, log_in
from tests.servers import webhook_receiver

pytestmark = pytest.mark.e2e


def test_the_caretaker_adds_a_webhook_and_tests_it(app, page: Page, caretaker):
    log_in(page, caretaker.email)
    page.goto("/caretaker")
    page.get_by_role("link", name="Webhooks").click()
    with webhook_receiver() as receiver:
        address = label(page, "Payload URL")
        check_page(page, address, page.get_by_role("button", name="Add webhook"))
        address.fill(receiver.url)
        page.get_by_label("A chat is planned").check()
        page.get_by_label("Slack incoming webhook").check()
        page.get_by_role("button", name="Add webhook").click()
        expect(page.get_by_text("Webhook added.")).to_be_visible()
        page.get_by_role("button", name="Send test").click()
        with app.app_context():
            webhooks.deliver_due()
        page.reload()
        expect(page.locator(".deliveries tbody tr").first).to_contain_text("Delivered")
        assert receiver.received[0].body.startswith(b'{"text":"A test from Ideaboard')
