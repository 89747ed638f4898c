"""The weekly digest for visitors, by email, without an account: double opt-in.

Asking queues a confirmation mail; only the link in it subscribes. Whatever the address,
the page answers the same ("check your inbox"), so it tells nobody who is subscribed or has
an account. One confirmation mail a day at most per address, however often it is typed in.
A member's address gets a pointer to their own digest setting instead (members keep that
setting; the digest never goes to one address twice).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Subscriber, User, utcnow
from ideaboard.services.accounts import find_by_email, normalize_email
from ideaboard.services.mail import link, queue_mail

CONFIRM_MAX_AGE = timedelta(days=7)
ONE_MAIL_PER = timedelta(days=1)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="newsletter-confirm")


def subscribe(email: str, now: datetime | None = None) -> None:
    """Ask for the digest at `email`: a confirmation mail, unless one went out in the last
    day or the address already receives it."""
    now = now or utcnow()
    email = normalize_email(email)
    member = find_by_email(email)
    if member is not None:
        _point_member_to_settings(member, now)
        return
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
    if subscriber is None:
        subscriber = Subscriber(email=email, created_at=now, confirmation_sent_at=now)
        db.session.add(subscriber)
        db.session.flush()
    elif subscriber.receiving or now - subscriber.confirmation_sent_at < ONE_MAIL_PER:
        return
    subscriber.confirmation_sent_at = now
    queue_mail(email, "Confirm your weekly Ideaboard digest", "newsletter_confirm",
               confirm_url=link("newsletter.confirm",
                                token=_signer().dumps([subscriber.id, email])),
               valid_days=CONFIRM_MAX_AGE.days)


def _point_member_to_settings(member: User, now: datetime) -> None:
    queue_mail(member.email, "Your weekly Ideaboard digest", "newsletter_member",
               dedupe_key=f"newsletter-member:{member.id}:{now.date().isoformat()}",
               member=member, settings_url=link("notifications.settings"))


def subscriber_for(token: str) -> Subscriber | None:
    """The subscriber a genuine, unexpired confirmation link names (still at that address)."""
    try:
        subscriber_id, email = _signer().loads(
            token, max_age=int(CONFIRM_MAX_AGE.total_seconds()))
        subscriber = db.session.get(Subscriber, int(subscriber_id))
    except (BadSignature, ValueError, TypeError, OverflowError):
        return None
    return subscriber if subscriber is not None and subscriber.email == email else None


def confirm(subscriber: Subscriber, now: datetime | None = None) -> None:
    if not subscriber.receiving:
        subscriber.confirmed_at = now or utcnow()
        subscriber.unsubscribed_at = None


def counts() -> tuple[int, int]:
    """(receiving the digest, waiting to confirm), for the caretaker."""
    receiving = db.session.scalar(select(func.count()).select_from(Subscriber).where(
        Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None)))
    waiting = db.session.scalar(select(func.count()).select_from(Subscriber).where(
        Subscriber.confirmed_at.is_(None), Subscriber.unsubscribed_at.is_(None)))
    return receiving, waiting


def next_receiving(after_id: int, batch: int) -> list[Subscriber]:
    """Subscribers receiving the digest, in id order after `after_id` (one batch); an
    address that has since become a member's is left to the member's own setting."""
    members = select(User.id).where(User.email == Subscriber.email).exists()
    return list(db.session.scalars(
        select(Subscriber)
        .where(Subscriber.id > after_id, Subscriber.confirmed_at.is_not(None),
               Subscriber.unsubscribed_at.is_(None), ~members)
        .order_by(Subscriber.id).limit(batch)))
