"""The outbox: mail queued with its change, sent by the worker through a real SMTP server
(aiosmtpd), tried again with back-off when the server is down, hangs or hangs up, marked
failed after the last try or a final refusal, and never sent twice by two workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, utcnow
from ideaboard.services import outbox
from ideaboard.services.mail import queue_mail
from tests.conftest import make_app
from tests.servers import refused_port, silent_server, smtp_server


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _queue(to: str = "ada@example.org", **extra) -> OutboxMessage:
    message = queue_mail(to, "Reset your Ideaboard password", "password_reset",
                         user=_Someone(), reset_url="http://127.0.0.1:5000/password/reset/x",
                         valid_minutes=60, **extra)
    db.session.commit()
    return message


class _Someone:
    display_name = "Ada <b>Lovelace</b>"


def _use(app, port: int, **settings) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, **{"MAIL_TIMEOUT": 1, **settings})


# A server that never answers is waited for this long: the wait is the test's whole point,
# and any length shows it (servers that answer keep the second they may need on a busy
# machine).
HANG_TIMEOUT = 0.2


def _row(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_a_queued_mail_is_sent_as_text_and_html_with_its_headers(app, ctx):
    queued = _queue(reply_to="caretaker@example.org",
                    unsubscribe_url="http://127.0.0.1:5000/unsubscribe/abc")
    with smtp_server() as server:
        _use(app, server.port, MAIL_DEFAULT_SENDER="Board <board@example.org>")
        report = outbox.send_due()

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [mail] = server.received
    assert mail["To"] == "ada@example.org" and mail["From"] == "Board <board@example.org>"
    assert mail["Subject"] == "Reset your Ideaboard password"
    assert mail["Message-ID"] == queued.headers["Message-ID"] and mail["Date"]
    assert mail["Reply-To"] == "caretaker@example.org"
    assert mail["List-Unsubscribe"] == "<http://127.0.0.1:5000/unsubscribe/abc>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "http://127.0.0.1:5000/password/reset/x" in text and "Ada <b>Lovelace</b>" in text
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html  # the HTML part is escaped
    assert _row(queued.id).sent_at is not None
    assert outbox.send_due().handled == 0  # sent once


def test_a_mail_is_queued_only_with_the_change_that_caused_it(app, ctx):
    queue_mail("ada@example.org", "Hello", "password_reset", user=_Someone(), reset_url="x",
               valid_minutes=60)
    db.session.rollback()

    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_mail_with_a_dedupe_key_is_queued_once(app, ctx):
    assert _queue(dedupe_key="digest:2026-W49:1") is not None
    assert queue_mail("ada@example.org", "Again", "password_reset", user=_Someone(),
                      reset_url="x", valid_minutes=60, dedupe_key="digest:2026-W49:1") is None


def test_a_subject_never_carries_a_line_break_into_the_headers(app, ctx):
    message = queue_mail("ada@example.org", "Hi\r\nBcc: everyone@example.org", "password_reset",
                         user=_Someone(), reset_url="x", valid_minutes=60)

    assert message.subject == "Hi Bcc: everyone@example.org"


@pytest.mark.parametrize("trouble", ["down", "hangs", "hangs up", "451"])
def test_a_send_that_fails_for_now_is_tried_again_later_then_marked_failed(app, ctx, trouble):
    queued = _queue()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        now = _row(queued.id).next_attempt_at
        with _troubled_server(trouble) as port:
            _use(app, port, **({"MAIL_TIMEOUT": HANG_TIMEOUT} if trouble == "hangs" else {}))
            report = outbox.send_due(now=now)
        row = _row(queued.id)
        assert row.attempts == attempt and row.sent_at is None and row.last_error
        if attempt < outbox.MAX_ATTEMPTS:
            assert report.retrying == 1 and row.failed_at is None
            assert row.next_attempt_at >= utcnow() + outbox.BACKOFF[attempt - 1] - timedelta(
                seconds=5)
            assert outbox.send_due(now=now).handled == 0  # not due before its back-off
    assert report.failed == 1 and row.failed_at is not None
    assert outbox.failed_messages() == [row]


@contextmanager
def _troubled_server(trouble: str) -> Iterator[int]:
    """A port where mail does not get through for now."""
    if trouble == "down":
        with refused_port() as port:
            yield port
        return
    if trouble == "hangs":
        with silent_server() as port:
            yield port
        return
    with smtp_server() as server:
        server.hang_up = trouble == "hangs up"
        if trouble == "451":
            server.refusals["*"] = "451 Try again later"
        yield server.port


def test_a_final_refusal_marks_the_mail_failed_at_once_and_the_next_still_goes(app, ctx):
    refused = _queue("nobody@example.org")
    _queue("ada@example.org")
    with smtp_server() as server:
        _use(app, server.port)
        server.refusals["nobody@example.org"] = "550 No such user here"
        report = outbox.send_due()

    assert (report.sent, report.failed) == (1, 1)
    assert _row(refused.id).failed_at is not None and "550" in _row(refused.id).last_error
    assert [mail["To"] for mail in server.received] == ["ada@example.org"]


def test_a_failed_mail_can_be_put_back_in_the_queue(app, ctx):
    queued = _queue()
    with refused_port() as port:
        _use(app, port)
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.send_due(now=_row(queued.id).next_attempt_at)
    assert _row(queued.id).failed_at is not None

    assert outbox.retry_failed(queued.id)
    db.session.commit()
    with smtp_server() as server:
        _use(app, server.port)
        assert outbox.send_due().sent == 1
    assert not outbox.retry_failed(queued.id)  # sent, not failed


def test_without_a_mail_server_mail_is_written_to_the_instance_outbox(app, ctx, tmp_path):
    queued = _queue()
    app.config["MAIL_SERVER"] = None

    assert outbox.send_due().sent == 1
    [eml] = (tmp_path / "outbox").glob("*.eml")
    from email import message_from_bytes, policy

    mail: EmailMessage = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["Message-ID"] == queued.headers["Message-ID"]
    assert "password/reset/x" in mail.get_body(("plain",)).get_content()


def test_two_workers_never_send_one_mail_twice(app, ctx, migrated):
    """Two app instances (as two worker processes would be), one database, one server."""
    for n in range(60):
        _queue(f"member{n}@example.org")
    with smtp_server() as server:
        workers = [make_app(migrated) for _ in range(2)]
        for worker in workers:
            _use(worker, server.port)
        start = threading.Barrier(2)
        sent: list[int] = []  # what each worker says it sent

        def work(worker_app):
            with worker_app.app_context():
                start.wait()
                total = 0
                while (report := outbox.send_due(batch=5)).handled:
                    total += report.sent
                sent.append(total)
                db.session.remove()

        threads = [threading.Thread(target=work, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()

    recipients = [mail["To"] for mail in server.received]
    assert sorted(recipients) == sorted(f"member{n}@example.org" for n in range(60))
    assert outbox.pending_count() == 0
    assert len(sent) == 2 and sum(sent) == 60  # the workers' own counts agree


def test_a_message_that_cannot_be_built_fails_at_once_and_sends_nothing(app, ctx):
    broken = OutboxMessage(recipient="ada@example.org\r\nBcc: everyone@example.org",
                           subject="Hi", text_body="t", html_body="h", headers={})
    db.session.add(broken)
    db.session.commit()
    fine = _queue()
    with smtp_server() as server:
        _use(app, server.port)
        report = outbox.send_due()

    assert (report.sent, report.failed) == (1, 1)
    assert _row(broken.id).failed_at is not None and _row(fine.id).sent_at is not None
    assert [mail["To"] for mail in server.received] == ["ada@example.org"]
