"""Sending what services/mail.py queued: the worker's side of the outbox
(`flask --app ideaboard worker`). Webhook deliveries (services/webhooks.py) are claimed,
counted and tried again by the same functions.

A worker claims each due row with one conditional UPDATE (the row's lease, `claimed_until`,
must be free), so any number of workers on one database never send a message at the same
time; each claim counts as a try. A message is sent through SMTP (MAIL_SERVER, MAIL_PORT,
MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD), or, with no MAIL_SERVER, written
to the instance folder's outbox/ as an .eml file. A refusal that says the address will never
work (a 5xx reply) marks the row failed at once; anything else (the server down, slow, or
hanging up) tries again after BACKOFF, and after the last try the row is marked failed and
listed for the caretaker. Rows are never deleted here.

A worker that dies between the server's acceptance and marking the row sent leaves it to
be sent again when its lease ends: the same mail, with the same Message-ID, so a receiving
server or a mail reader can tell the copy.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import func, select, update

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, WebhookDelivery, utcnow
from ideaboard.services.mail import as_email

# Waits after the 1st, 2nd, ... failed try; after the last, the message has failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)  # longer than any one send can take (SMTP timeouts below)
BATCH = 50
ERROR_MAX = 500
Queued = OutboxMessage | WebhookDelivery  # tables with the outbox's columns


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx reply): trying again cannot help."""


@dataclass
class SmtpTransport:
    """One connection to the configured server, opened at the first send and again after
    an error; the connection and every reply time out after MAIL_TIMEOUT seconds."""

    config: dict
    connection: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            self._reset_after_refusal()
            codes = [code for code, _text in refused.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(describe(refused)) from refused
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as refused:
            self._reset_after_refusal()
            if refused.smtp_code >= 500:
                raise PermanentFailure(describe(refused)) from refused
            raise
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        kind = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        connection = kind(config["MAIL_SERVER"], config["MAIL_PORT"],
                          timeout=config["MAIL_TIMEOUT"])
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            connection.starttls()
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return connection

    def _reset_after_refusal(self) -> None:
        """The server refused this message but is still talking: start the next afresh."""
        try:
            if self.connection is not None:
                self.connection.rset()
        except (OSError, smtplib.SMTPException):
            self.close()


@dataclass
class DirectoryTransport:
    """Writes each message to a folder, one .eml file per message (no mail server needed)."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        name = message["Message-ID"].strip("<>").partition("@")[0]
        (self.folder / f"{stamp}-{name}.eml").write_bytes(message.as_bytes())

    def close(self) -> None:
        """Nothing stays open: each send writes and closes its own file."""


def transport() -> Transport:
    """The configured way out: SMTP if MAIL_SERVER is set, else the instance's outbox/."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return DirectoryTransport(Path(current_app.instance_path) / "outbox")


@dataclass
class Report:
    """What one pass of the worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed

    def add(self, other: Report) -> None:
        self.sent, self.retrying = self.sent + other.sent, self.retrying + other.retrying
        self.failed += other.failed
        self.errors += other.errors


def send_due(now: datetime | None = None, batch: int = BATCH) -> Report:
    """Claim up to `batch` messages that are due and send them, marking each sent, to be
    tried again, or failed (committed one by one, so a crash loses no mark)."""
    now = now or utcnow()
    report = Report()
    claimed = [row_id for row_id in due_ids(OutboxMessage, now, batch)
               if claim(OutboxMessage, row_id, now)]
    if not claimed:
        return report
    way_out, sender = transport(), current_app.config["MAIL_DEFAULT_SENDER"]
    try:
        for row_id in claimed:
            _send_one(db.session.get(OutboxMessage, row_id), way_out, sender, report)
    finally:
        way_out.close()
    return report


def pending_count() -> int:
    """Messages queued and not yet sent (nor failed)."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)))


def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    """The messages that could not be sent, newest first: what the caretaker looks at."""
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
        .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def retry_failed(message_id: int) -> bool:
    """Put a failed message back in the queue, with all its tries again (False if it is not
    a failed message)."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.failed_at.is_not(None))
        .values(failed_at=None, attempts=0, next_attempt_at=utcnow(), last_error=None))
    return done.rowcount == 1


def due_ids(model: type[Queued], now: datetime, batch: int) -> list[int]:
    """Rows of an outbox table (mail, or webhook deliveries) due to be tried, oldest first."""
    return list(db.session.scalars(
        select(model.id)
        .where(model.sent_at.is_(None), model.failed_at.is_(None),
               model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id).limit(batch)))


def claim(model: type[Queued], row_id: int, now: datetime) -> bool:
    """Take the row's lease if it is free, counting a try; True if this worker got it."""
    taken = db.session.execute(
        update(model)
        .where(model.id == row_id, model.sent_at.is_(None), model.failed_at.is_(None),
               (model.claimed_until.is_(None)) | (model.claimed_until < now))
        .values(claimed_until=now + LEASE, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return taken.rowcount == 1


def try_again_or_fail(row: Queued, error: str, report: Report) -> None:
    """A try that may work later: again after BACKOFF, or failed after the last try."""
    if row.attempts >= MAX_ATTEMPTS:
        failed(row, error, report)
        return
    row.next_attempt_at = utcnow() + BACKOFF[row.attempts - 1]
    row.last_error, row.claimed_until = error[:ERROR_MAX], None
    report.retrying += 1
    report.errors.append(row.last_error)


def _send_one(row: OutboxMessage, way_out: Transport, sender: str, report: Report) -> None:
    db.session.refresh(row)
    try:
        message = as_email(row, sender)
    except ValueError as malformed:  # a header with a line break, say: it never will build
        failed(row, describe(malformed), report)
        db.session.commit()
        return
    try:
        way_out.send(message)
    except PermanentFailure as refused:
        failed(row, str(refused), report)
    except (OSError, smtplib.SMTPException) as error:  # timeouts are OSErrors
        try_again_or_fail(row, describe(error), report)
    else:
        row.sent_at, row.claimed_until = utcnow(), None
        report.sent += 1
    db.session.commit()


def failed(row: Queued, error: str, report: Report) -> None:
    row.failed_at, row.claimed_until, row.last_error = utcnow(), None, error[:ERROR_MAX]
    report.failed += 1
    report.errors.append(row.last_error)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()
