"""Host nominations with consent, and members' offers to host.

A "Host to invite" idea may name the person it proposes. Given their email, they get one
mail with signed links to accept or decline, no account needed; until they accept, the idea
says it awaits their reply and its vote count is shown to nobody but the caretaker (the
desk). If they decline, the idea is hidden with a neutral note, and stays hidden: no restore
brings it back. One address is nominated at most once in 90 days, by anyone. Their email is
never shown anywhere.

A member may offer to host ("I'd like to host"), with the topics they could host; the
caretaker sees offers beside the nominations when planning a chat (the first few), and all
of them, page by page, on the hosts page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ideaboard.extensions import db
from ideaboard.models import Consent, HostOffer, Idea, Nomination, User, utcnow
from ideaboard.services import paging
from ideaboard.services.accounts import normalize_email
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.mail import link, queue_mail

ONCE_PER = timedelta(days=90)
HOST_CATEGORY = "host-to-invite"
ACCEPT, DECLINE = "accept", "decline"
HOSTS_PER_PAGE = 50


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="nomination")


def recently_nominated(email: str, now: datetime | None = None) -> bool:
    """Whether this address was nominated in the last 90 days (ix_nominations_email)."""
    since = (now or utcnow()) - ONCE_PER
    return db.session.scalar(select(Nomination.idea_id).where(
        Nomination.email == normalize_email(email), Nomination.created_at >= since
    ).limit(1)) is not None


def nominate(idea: Idea, name: str, handle: str | None, email: str | None,
             now: datetime | None = None) -> Nomination:
    """Name the idea's nominee; with an email, ask them (one mail) and keep the idea's vote
    count to the caretaker until they accept."""
    now = now or utcnow()
    email = normalize_email(email) if email else None
    nomination = Nomination(idea_id=idea.id, name=name, handle=handle or None, email=email,
                            consent=Consent.AWAITING if email else Consent.NOT_ASKED,
                            created_at=now)
    db.session.add(nomination)
    if email:
        idea.awaiting_consent = True
        token = _signer().dumps([idea.id, email])
        queue_mail(email, "You were proposed to host a #HITsm chat", "nomination",
                   nomination=nomination, idea=idea,
                   accept_url=link("hosting.answer", token=token, answer=ACCEPT),
                   decline_url=link("hosting.answer", token=token, answer=DECLINE))
    return nomination


def for_token(token: str) -> Nomination | None:
    """The nomination a genuine link names, if it still names that address."""
    try:
        idea_id, email = _signer().loads(token)
        nomination = db.session.get(Nomination, int(idea_id))
    except (BadSignature, ValueError, TypeError, OverflowError):
        return None
    return nomination if nomination is not None and nomination.email == email else None


def answer(nomination: Nomination, accept: bool, now: datetime | None = None) -> bool:
    """The nominee's answer; False if they had already answered (the first answer stands)."""
    if nomination.consent is not Consent.AWAITING:
        return False
    now = now or utcnow()
    idea = db.session.get(Idea, nomination.idea_id)
    nomination.consent = Consent.ACCEPTED if accept else Consent.DECLINED
    nomination.answered_at = now
    idea.awaiting_consent = False
    if not accept:
        idea.hidden_at = now
    mark_board_changed()
    return True


def declined(idea_id: int) -> bool:
    """Whether the idea names a nominee who declined: it is never shown again."""
    return db.session.scalar(select(Nomination.consent).where(
        Nomination.idea_id == idea_id)) is Consent.DECLINED


def of_idea(idea_id: int) -> Nomination | None:
    return db.session.get(Nomination, idea_id)


def proposed_hosts(after: int | None = None, per_page: int = HOSTS_PER_PAGE,
                   ) -> paging.After[Nomination]:
    """Nominees a chat may have as host (accepted, or named with no email to ask), on the
    board, most voted first; a page starting after the nomination of idea `after`."""
    query = (select(Nomination).join(Nomination.idea).options(contains_eager(Nomination.idea))
             .where(Nomination.consent.in_([Consent.ACCEPTED, Consent.NOT_ASKED]),
                    Idea.hidden_at.is_(None), Idea.withdrawn_at.is_(None)))
    anchor = db.session.get(Idea, after) if after is not None else None
    return paging.ordered_after(query, (Idea.vote_count, Idea.id),
                                (anchor.vote_count, anchor.id) if anchor else None, per_page,
                                descending=True, cursor=lambda nomination: nomination.idea_id)


def offer_to_host(member: User, topics: str, now: datetime | None = None) -> HostOffer:
    offer = db.session.get(HostOffer, member.id)
    if offer is None:
        offer = HostOffer(user_id=member.id, topics=topics, created_at=now or utcnow())
        db.session.add(offer)
    else:
        offer.topics = topics
    return offer


def withdraw_offer(member: User) -> None:
    offer = db.session.get(HostOffer, member.id)
    if offer is not None:
        db.session.delete(offer)


def offer_of(member: User) -> HostOffer | None:
    return db.session.get(HostOffer, member.id)


def host_offers(after: int | None = None, per_page: int = HOSTS_PER_PAGE,
                ) -> paging.After[HostOffer]:
    """Members who offered to host and may still post, newest offer first; a page starting
    after the offer of member `after` (keyset on ix_host_offers_created)."""
    query = (select(HostOffer).join(HostOffer.user).options(contains_eager(HostOffer.user))
             .where(User.suspended_at.is_(None), User.deleted_at.is_(None)))
    anchor = db.session.get(HostOffer, after) if after is not None else None
    return paging.ordered_after(query, (HostOffer.created_at, HostOffer.user_id),
                                (anchor.created_at, anchor.user_id) if anchor else None,
                                per_page, descending=True, cursor=lambda offer: offer.user_id)
