"""Account pages in a real browser, by the names people see: a forgotten password reset by
the link the worker mails, a change of password and of address from the account page, and
the caretaker's list of mail that could not be sent; each page accessible and usable on a
phone."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, utcnow
from ideaboard.services import outbox
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_page
from tests.e2e.test_journey import account_nav, label, log_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a much better one"


def _send_mail(app: Flask) -> dict[str, str]:
    """What the worker does: send what is due (to the instance's outbox/, as no mail server
    is set); the plain-text part of what it wrote, by recipient (files written in the same
    second have no order)."""
    with app.app_context():
        assert outbox.send_due().sent >= 1
    mails = [message_from_bytes(eml.read_bytes(), policy=policy.default)
             for eml in Path(app.instance_path, "outbox").glob("*.eml")]
    return {mail["To"]: mail.get_body(("plain",)).get_content() for mail in mails}


def test_a_forgotten_password_is_reset_by_the_mailed_link(app, page: Page, member):
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    send = page.get_by_role("button", name="Email me a link")
    check_page(page, label(page, "Email"), send)
    label(page, "Email").fill(member.email)
    send.click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()

    mail = _send_mail(app)[member.email]
    page.goto(re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", mail).group(1))
    set_it = page.get_by_role("button", name="Set the new password")
    check_page(page, label(page, "New password"), label(page, "New password, again"), set_it)
    label(page, "New password").fill(NEW_PASSWORD)
    label(page, "New password, again").fill(NEW_PASSWORD)
    set_it.click()

    expect(page.get_by_text("Your new password is set; you are logged in.")).to_be_visible()
    expect(account_nav(page).get_by_role("button", name="Log out")).to_be_visible()


def test_a_member_changes_password_and_address_from_the_account_page(app, page: Page, member):
    log_in(page, member.email, check=False)
    account_nav(page).get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Change password").click()
    change = page.get_by_role("button", name="Change password")
    check_page(page, label(page, "Current password"), label(page, "New password"), change)
    label(page, "Current password").fill(PASSWORD)
    label(page, "New password").fill(NEW_PASSWORD)
    label(page, "New password, again").fill(NEW_PASSWORD)
    change.click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()

    page.get_by_role("link", name="Change address").click()
    move = page.get_by_role("button", name="Change address")
    check_page(page, label(page, "Email"), label(page, "Current password"), move)
    label(page, "Email").fill("ana.elsewhere@example.org")
    label(page, "Current password").fill(NEW_PASSWORD)
    move.click()
    expect(page.get_by_role("heading", name="Confirm your address")).to_be_visible()
    check_page(page, page.get_by_role("button", name="Send the link again"))

    written = _send_mail(app)
    notice, confirm = written[member.email], written["ana.elsewhere@example.org"]
    assert "ana.elsewhere@example.org" in notice
    page.goto(re.search(r"http://127\.0\.0\.1:5000(/account/verify/\S+)", confirm).group(1))
    expect(page.get_by_text("Thank you: ana.elsewhere@example.org is confirmed.")).to_be_visible()


def test_the_caretaker_sees_mail_that_could_not_be_sent(app, page: Page, caretaker):
    with app.app_context():
        db.session.add(OutboxMessage(
            recipient="gone@example.org", subject="Reset your Ideaboard password",
            text_body="t", html_body="h", headers={}, attempts=6, failed_at=utcnow(),
            last_error="SMTPRecipientsRefused: 550 No such user here"))
        db.session.commit()
    log_in(page, caretaker.email, check=False)
    page.goto("/caretaker/mail")

    retry = page.get_by_role("button", name="Try again the mail to gone@example.org")
    check_page(page, retry)
    retry.click()
    expect(page.get_by_text("No mail has failed.")).to_be_visible()
