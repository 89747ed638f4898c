"""/caretaker/webhooks: the caretaker adds a webhook (http(s) only), sends a test through
the worker, sees how each delivery went, and removes it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Webhook, WebhookDelivery
from ideaboard.services import webhooks
from tests.conftest import database_snapshot, post_form
from tests.servers import webhook_receiver


def _add(client, url: str, **extra):
    return post_form(client, "/caretaker/webhooks", {
        "url": url, "events": ["idea.created", "chat.planned"], "format": "standard",
        **extra})


def test_the_caretaker_adds_a_webhook_and_sends_a_test(app, caretaker_client):
    with webhook_receiver() as receiver:
        added = _add(caretaker_client, receiver.url)
        with app.app_context():
            hook = db.session.scalar(select(Webhook))
            assert (hook.url, hook.events) == (receiver.url, ["chat.planned", "idea.created"])
            assert hook.secret.startswith("whsec_")
        tested = post_form(caretaker_client, f"/caretaker/webhooks/{hook.id}/test")
        assert receiver.received == []  # the worker sends it, not the request
        with app.app_context():
            webhooks.deliver_due()
        page = caretaker_client.get("/caretaker/webhooks").get_data(as_text=True)

    assert added.status_code == tested.status_code == 302
    [test] = receiver.received
    assert json.loads(test.body)["type"] == "webhook.test"
    assert "webhook.test" in page and "Delivered</span> 200" in page
    assert hook.secret in page  # the caretaker copies it into the receiver


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "javascript:alert(1)",
                                 "file:///etc/passwd", "http://", "example.org/hook"])
def test_only_http_addresses_are_accepted(app, caretaker_client, url):
    before = database_snapshot(app)

    response = _add(caretaker_client, url)

    assert response.status_code == 400
    assert "Please give an http:// or https:// address." in response.get_data(as_text=True)
    assert database_snapshot(app) == before


def test_a_webhook_needs_an_event_and_a_well_formed_secret(app, caretaker_client):
    no_event = post_form(caretaker_client, "/caretaker/webhooks",
                         {"url": "https://example.org/hook", "format": "standard"})
    bad_secret = _add(caretaker_client, "https://example.org/hook", secret="hunter2")
    own_secret = _add(caretaker_client, "https://example.org/hook",
                      secret=webhooks.new_secret())

    assert no_event.status_code == 400 and "at least one event" in no_event.get_data(
        as_text=True)
    assert bad_secret.status_code == 400 and "whsec_" in bad_secret.get_data(as_text=True)
    assert own_secret.status_code == 302


def test_removing_a_webhook_removes_its_deliveries(app, caretaker_client, make_idea):
    _add(caretaker_client, "https://example.org/hook")
    make_idea()
    with app.app_context():
        hook_id = db.session.scalar(select(Webhook.id))
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1

    assert post_form(caretaker_client, f"/caretaker/webhooks/{hook_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_a_board_has_at_most_twenty_webhooks(app, caretaker_client, monkeypatch):
    monkeypatch.setattr(webhooks, "MAX_WEBHOOKS", 2)
    for _ in range(2):
        assert _add(caretaker_client, "https://example.org/hook").status_code == 302
    before = database_snapshot(app)

    third = _add(caretaker_client, "https://example.org/hook")

    assert third.status_code == 400
    assert "at most 2 webhooks" in third.get_data(as_text=True)
    assert database_snapshot(app) == before
