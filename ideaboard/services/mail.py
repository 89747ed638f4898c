"""E-mail, composed and queued: a plain-text and an HTML part from the templates in
templates/mail/, put in the outbox in the caller's transaction, so the mail exists exactly
when the change it tells of does. Nothing here talks to a mail server: services/outbox.py
sends what is queued, outside any request."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import exists, select

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage

SUBJECT_MAX = 200
# Header lines up to RFC 5322's limit: at the default 78 a long List-Unsubscribe link (an
# address with no space to fold at) would be turned into an encoded word, which mail
# clients do not read as a link.
_POLICY = policy.default.clone(max_line_length=998)
_WHITESPACE = re.compile(r"\s+")


def link(endpoint: str, **values) -> str:
    """An absolute link for a mail: BASE_URL and the route's path (mail is composed in
    commands and workers too, where no request says which host the board is on)."""
    path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def queue_mail(recipient: str, subject: str, template: str, *, dedupe_key: str | None = None,
               reply_to: str | None = None, unsubscribe_url: str | None = None,
               **context) -> OutboxMessage | None:
    """Add a mail to the session (the caller commits it with its change), its parts
    rendered from mail/<template>.txt and .html with `context`. With a dedupe_key already
    queued, nothing is added (None): a mail meant once is queued once."""
    if dedupe_key is not None and db.session.scalar(
            select(exists().where(OutboxMessage.dedupe_key == dedupe_key))):
        return None
    subject = _WHITESPACE.sub(" ", subject).strip()[:SUBJECT_MAX]  # one line, whatever it quotes
    context.update(subject=subject, unsubscribe_url=unsubscribe_url)
    headers = {"Message-ID": make_msgid(domain=_mail_domain())}
    if reply_to:
        headers["Reply-To"] = reply_to
    if unsubscribe_url:  # RFC 8058: one POST to the link unsubscribes, no page in between
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = OutboxMessage(
        recipient=recipient, subject=subject, headers=headers, dedupe_key=dedupe_key,
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context))
    db.session.add(message)
    return message


def as_email(row: OutboxMessage, sender: str) -> EmailMessage:
    """The queued row as a multipart/alternative message, the same on every try."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    for name, value in row.headers.items():
        message[name] = value
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


def _mail_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
