"""Outgoing webhooks: the board's events POSTed as JSON to the addresses the caretaker set.

An event is queued (one WebhookDelivery per webhook that wants it) in the same transaction
as the change it tells of, and the worker delivers it, never the request: the same lease,
tries and back-off as mail (outbox.py). A delivery is signed as Standard Webhooks
(standardwebhooks.com) says: headers `webhook-id` (the same on every try), `webhook-timestamp`
(this try's, in seconds) and `webhook-signature`, `v1,` and the base64 HMAC-SHA256, keyed
with the secret's bytes, of "<id>.<timestamp>.<body>". A 2xx answer delivers it; a timeout,
a refused connection, a 5xx, 408 or 429 is tried again; any other answer will not change by
trying, and fails it at once. Slack and Discord take the event as a line of text instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import (
    Account,
    Chat,
    Comment,
    Idea,
    StatusChange,
    Webhook,
    WebhookDelivery,
    WebhookFormat,
    utcnow,
)
from ideaboard.services import outbox
from ideaboard.services.categories import slugify
from ideaboard.services.mail import link
from ideaboard.services.outbox import Report

IDEA_CREATED, COMMENT_CREATED = "idea.created", "comment.created"
STATUS_CHANGED, CHAT_PLANNED, TEST = "idea.status_changed", "chat.planned", "webhook.test"
EVENTS = {IDEA_CREATED: "An idea is posted", COMMENT_CREATED: "A comment is published",
          STATUS_CHANGED: "An idea's status or official response changes",
          CHAT_PLANNED: "A chat is planned"}
RETRY_STATUSES = frozenset({408, 429})
RECENT = 20  # deliveries listed per webhook
MAX_WEBHOOKS = 20  # each event is queued once per webhook: a board needs a handful
USER_AGENT = "Ideaboard-Webhooks/1"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class TooMany(Exception):
    """The board has MAX_WEBHOOKS already."""


def create(actor: Account, url: str, events: list[str], fmt: WebhookFormat,
           secret: str | None = None) -> Webhook:
    if db.session.scalar(select(func.count()).select_from(Webhook)) >= MAX_WEBHOOKS:
        raise TooMany(f"A board has at most {MAX_WEBHOOKS} webhooks: remove one first.")
    hook = Webhook(url=url, events=sorted(set(events)), format=fmt,
                   secret=secret or new_secret(), created_by_id=actor.id)
    db.session.add(hook)
    return hook


def all_webhooks() -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


# Events, as the services that make the changes tell of them.

def idea_created(idea: Idea) -> None:
    _queue(IDEA_CREATED, _idea(idea), f"New idea: {idea.title}", _idea_url(idea))


def comment_created(comment: Comment, idea: Idea) -> None:
    data = {"id": comment.id, "idea": _idea(idea), "author": comment.display_name,
            "body_excerpt": comment.body[:280], "url": _idea_url(idea)}
    _queue(COMMENT_CREATED, data, f"{comment.display_name} commented on “{idea.title}”",
           _idea_url(idea))


def status_changed(idea: Idea, change: StatusChange) -> None:
    data = {"idea": _idea(idea), "from": change.from_status.value,
            "to": change.to_status.value, "response_html": change.response_html}
    if change.from_status is change.to_status:
        text = f"Official response on “{idea.title}”"
    else:
        text = f"“{idea.title}”: {change.from_status.label} → {change.to_status.label}"
    _queue(STATUS_CHANGED, data, text, _idea_url(idea))


def chat_planned(chat: Chat, idea_ids: list[int]) -> None:
    url = link("chats.index", _anchor=f"chat-{chat.id}")
    data = {"id": chat.id, "title": chat.title, "starts_at": chat.starts_at.isoformat(),
            "time_zone": chat.time_zone, "host": chat.host_name,
            "questions": [question.text for question in chat.questions],
            "ideas": idea_ids, "url": url}
    _queue(CHAT_PLANNED, data, f"Chat planned: {chat.title}", url)


def send_test(hook: Webhook) -> WebhookDelivery:
    """A test event for one webhook, through the worker like any other."""
    text = "A test from Ideaboard: this webhook works."
    return _delivery(hook, TEST, {"message": text}, text, link("board.index"))


def _idea(idea: Idea) -> dict:
    return {"id": idea.id, "title": idea.title, "url": _idea_url(idea),
            "status": idea.status.value, "excerpt": idea.excerpt,
            "votes": idea.vote_count}


def _idea_url(idea: Idea) -> str:
    return link("ideas.show", idea_id=idea.id, slug=slugify(idea.title) or None)


def _queue(event: str, data: dict, text: str, url: str) -> None:
    for hook in db.session.scalars(select(Webhook).order_by(Webhook.id)):
        if event in hook.events:
            _delivery(hook, event, data, text, url)


def _delivery(hook: Webhook, event: str, data: dict, text: str, url: str) -> WebhookDelivery:
    delivery = WebhookDelivery(webhook_id=hook.id, event=event,
                               message_id="msg_" + secrets.token_urlsafe(18),
                               body=_body(hook.format, event, data, text, url))
    db.session.add(delivery)
    return delivery


def _body(fmt: WebhookFormat, event: str, data: dict, text: str, url: str) -> str:
    if fmt is WebhookFormat.SLACK:
        payload = {"text": f"{text} <{url}>"}
    elif fmt is WebhookFormat.DISCORD:
        payload = {"content": f"{text} {url}"[:2000]}
    else:
        payload = {"type": event, "timestamp": utcnow().isoformat(), "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header's value for this delivery and moment."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# The worker's side.

class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer, not somewhere else to send the event to."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass
class Answer:
    status: int | None
    error: str | None


def deliver_due(now: datetime | None = None, batch: int = outbox.BATCH) -> Report:
    """Claim up to `batch` due deliveries and POST each, marking it delivered, to be tried
    again, or failed (committed one by one)."""
    now = now or utcnow()
    report = Report()
    for row_id in outbox.due_ids(WebhookDelivery, now, batch):
        if outbox.claim(WebhookDelivery, row_id, now):
            _deliver(db.session.get(WebhookDelivery, row_id), report)
    return report


def _deliver(delivery: WebhookDelivery, report: Report) -> None:
    db.session.refresh(delivery)
    hook = db.session.get(Webhook, delivery.webhook_id)
    answer = _post(hook, delivery)
    delivery.last_status = answer.status
    if answer.status is not None and 200 <= answer.status < 300:
        delivery.sent_at, delivery.claimed_until, delivery.last_error = utcnow(), None, None
        report.sent += 1
    elif answer.status is None or answer.status >= 500 or answer.status in RETRY_STATUSES:
        outbox.try_again_or_fail(delivery, answer.error, report)
    else:
        outbox.failed(delivery, answer.error, report)
    db.session.commit()


def _post(hook: Webhook, delivery: WebhookDelivery) -> Answer:
    timestamp = int(time.time())
    request = urllib.request.Request(hook.url, data=delivery.body.encode(), method="POST")
    for name, value in {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id, "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(hook.secret, delivery.message_id, timestamp,
                                       delivery.body),
    }.items():
        request.add_header(name, value)
    try:
        with _OPENER.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as answer:
            return Answer(answer.status, None)
    except urllib.error.HTTPError as refused:
        return Answer(refused.code, f"HTTP {refused.code} {refused.reason}")
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, bad address
        return Answer(None, outbox.describe(error))


def recent_deliveries(hook_ids: list[int]) -> dict[int, list[WebhookDelivery]]:
    """The last RECENT deliveries of each webhook, newest first (ix_webhook_deliveries_hook:
    one query each, for the caretaker's few webhooks)."""
    return {hook_id: list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id)
        .order_by(WebhookDelivery.id.desc()).limit(RECENT))) for hook_id in hook_ids}
