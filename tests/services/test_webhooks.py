"""Webhooks against real HTTP servers on loopback: queued with the change, delivered by the
worker, signed as Standard Webhooks say, retried with back-off when the receiver is down,
slow or failing, shaped for Slack and Discord."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Idea, Status, User, Webhook, WebhookDelivery, WebhookFormat, utcnow
from ideaboard.services import chats, comments, ideas, outbox, webhooks
from ideaboard.services.categories import by_slug
from tests.servers import webhook_receiver

ALL = list(webhooks.EVENTS)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _hook(caretaker, url: str, events=ALL, fmt=WebhookFormat.STANDARD) -> Webhook:
    hook = webhooks.create(db.session.get(User, caretaker.id), url, events, fmt)
    db.session.commit()
    return hook


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks' verification, written from the specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(part == f"v1,{expected}" for part in headers["webhook-signature"].split())


def test_each_event_is_queued_with_its_change_and_delivered_signed(ctx, caretaker, make_idea,
                                                                    make_user):
    with webhook_receiver() as receiver:
        hook = _hook(caretaker, receiver.url)
        idea_id = make_idea("Invite a CMIO")
        idea = db.session.get(Idea, idea_id)
        comments.add_guest_comment(idea, "Maria", "maria@example.net", "Yes please")
        ideas.respond(idea, Status.UNDER_REVIEW, "Looking into it.",
                      db.session.get(User, caretaker.id))
        db.session.commit()
        assert receiver.received == []  # queued, not sent by the change itself

        report = webhooks.deliver_due()

        assert report.sent == 3
        sent = [json.loads(r.body) for r in receiver.received]
        assert [s["type"] for s in sent] == ["idea.created", "comment.created",
                                             "idea.status_changed"]
        assert sent[0]["data"]["title"] == "Invite a CMIO"
        assert sent[0]["data"]["url"].endswith(f"/ideas/{idea_id}-invite-a-cmio")
        assert sent[2]["data"]["to"] == "under_review"
        assert "maria@example.net" not in receiver.received[1].body.decode()
        for request in receiver.received:
            assert request.headers["content-type"] == "application/json"
            assert _verify(hook.secret, request.headers, request.body)
            assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
        assert all(d.sent_at and d.last_status == 200 for d in _deliveries())


def test_a_webhook_gets_only_the_events_it_chose(ctx, caretaker, make_idea):
    with webhook_receiver() as receiver:
        _hook(caretaker, receiver.url, events=[webhooks.CHAT_PLANNED])
        make_idea("Not sent")
        topic = make_idea("FHIR for beginners", category=by_slug("topic-for-a-future-chat").id)
        chats.plan_chat(db.session.get(User, caretaker.id), title="FHIR for all",
                        starts_at=utcnow() + timedelta(days=3), time_zone="UTC",
                        host_id=None, host_handle="@fhir", questions=["Q1?", "Q2?", "Q3?"],
                        idea_ids=[topic])
        db.session.commit()
        webhooks.deliver_due()

    [chat] = [json.loads(r.body) for r in receiver.received]
    assert chat["type"] == "chat.planned" and chat["data"]["ideas"] == [topic]
    assert chat["data"]["questions"] == ["Q1?", "Q2?", "Q3?"]


def test_a_receiver_answering_500_is_tried_again_with_back_off_then_failed(
        ctx, caretaker, make_idea):
    with webhook_receiver(status=500) as receiver:
        _hook(caretaker, receiver.url)
        make_idea()
        first = webhooks.deliver_due()
        [delivery] = _deliveries()
        assert (first.retrying, delivery.last_status, delivery.attempts) == (1, 500, 1)
        assert delivery.next_attempt_at > utcnow() + outbox.BACKOFF[0] - timedelta(seconds=5)
        assert webhooks.deliver_due().handled == 0  # not due yet
        later = utcnow()
        for wait in outbox.BACKOFF:
            later += wait + timedelta(seconds=1)
            webhooks.deliver_due(now=later)
        db.session.refresh(delivery)

    assert len(receiver.received) == outbox.MAX_ATTEMPTS
    assert delivery.failed_at is not None
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert ids == {delivery.message_id}  # the same id on every try: receivers can dedupe


def test_a_receiver_that_times_out_is_tried_again(app, ctx, caretaker, make_idea):
    app.config["WEBHOOK_TIMEOUT"] = 0.3
    with webhook_receiver(delay=2) as receiver:
        _hook(caretaker, receiver.url)
        make_idea()
        started = time.monotonic()
        report = webhooks.deliver_due()
        took = time.monotonic() - started

    [delivery] = _deliveries()
    assert report.retrying == 1 and took < 1.5
    assert delivery.last_status is None and "timed out" in delivery.last_error
    assert delivery.sent_at is None and delivery.failed_at is None


def test_a_client_error_fails_at_once(ctx, caretaker, make_idea):
    with webhook_receiver(status=404) as receiver:
        _hook(caretaker, receiver.url)
        make_idea()
        report = webhooks.deliver_due()

    [delivery] = _deliveries()
    assert report.failed == 1 and delivery.failed_at is not None
    assert delivery.last_status == 404 and len(receiver.received) == 1


@pytest.mark.parametrize(("fmt", "key"), [(WebhookFormat.SLACK, "text"),
                                           (WebhookFormat.DISCORD, "content")])
def test_slack_and_discord_get_a_line_of_text(ctx, caretaker, make_idea, fmt, key):
    with webhook_receiver() as receiver:
        _hook(caretaker, receiver.url, fmt=fmt)
        idea_id = make_idea("Invite a CMIO")
        webhooks.deliver_due()

    [payload] = [json.loads(r.body) for r in receiver.received]
    assert list(payload) == [key]
    assert payload[key].startswith("New idea: Invite a CMIO")
    assert f"/ideas/{idea_id}-invite-a-cmio" in payload[key]


def test_the_worker_delivers_webhooks_with_the_mail(app, ctx, caretaker, make_idea, runner):
    with webhook_receiver() as receiver:
        _hook(caretaker, receiver.url)
        make_idea()
        result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output and len(receiver.received) == 1
