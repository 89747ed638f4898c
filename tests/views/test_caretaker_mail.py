"""The caretaker's list of mail that could not be sent, and putting one back in the queue."""

from __future__ import annotations

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, utcnow
from tests.conftest import post_form


def _failed_mail(app) -> int:
    with app.app_context():
        message = OutboxMessage(recipient="gone@example.org", subject="Reset <your> password",
                                text_body="t", html_body="h", headers={}, attempts=6,
                                failed_at=utcnow(), last_error="SMTPRecipientsRefused: 550")
        db.session.add(message)
        db.session.commit()
        return message.id


def test_the_caretaker_sees_failed_mail_and_can_queue_it_again(app, caretaker_client):
    message_id = _failed_mail(app)

    page = caretaker_client.get("/caretaker/mail").get_data(as_text=True)
    assert "gone@example.org" in page and "Reset &lt;your&gt; password" in page
    assert "SMTPRecipientsRefused: 550" in page and "0 messages wait" in page

    response = post_form(caretaker_client, f"/caretaker/mail/{message_id}/retry")
    assert response.status_code == 302
    page = caretaker_client.get("/caretaker/mail").get_data(as_text=True)
    assert "No mail has failed." in page and "1 message waits" in page
    with app.app_context():
        again = db.session.get(OutboxMessage, message_id)
        assert (again.failed_at, again.attempts, again.last_error) == (None, 0, None)
