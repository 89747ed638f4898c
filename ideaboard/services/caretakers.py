"""Handing over the baton: a caretaker invites a member, who accepts or declines; a
caretaker may step down to member, but the board always keeps one caretaker."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, CaretakerInvitation, Role, User, utcnow
from ideaboard.services import audit


class BatonRefused(ValueError):
    """The invitation or step down cannot happen; the message says why."""


def invite(inviter: Account, member: User) -> CaretakerInvitation:
    if member.role is Role.CARETAKER:
        raise BatonRefused(f"{member.display_name} is already a caretaker.")
    if member.is_suspended:
        raise BatonRefused(f"{member.display_name} is suspended: lift the suspension first.")
    if pending_for(member.id) is not None:
        raise BatonRefused(f"{member.display_name} already has an invitation to answer.")
    invitation = CaretakerInvitation(inviter_id=inviter.id, invitee_id=member.id,
                                     created_at=utcnow())
    db.session.add(invitation)
    audit.record(inviter, AuditKind.INVITE, f"member {member.id}",
                 f"Invited {member.display_name} to become caretaker",
                 {"role": member.role.value}, {"invited": True})
    return invitation


def pending_for(user_id: int) -> CaretakerInvitation | None:
    return db.session.scalar(
        select(CaretakerInvitation).where(CaretakerInvitation.invitee_id == user_id,
                                          CaretakerInvitation.answered_at.is_(None))
        .order_by(CaretakerInvitation.id.desc()).limit(1))


def pending_among(user_ids: list[int]) -> set[int]:
    """Which of these members have an invitation to answer (one query)."""
    if not user_ids:
        return set()
    return set(db.session.scalars(
        select(CaretakerInvitation.invitee_id).where(
            CaretakerInvitation.invitee_id.in_(user_ids),
            CaretakerInvitation.answered_at.is_(None))))


def answer(member: User, accept: bool) -> CaretakerInvitation:
    """The member's answer to their open invitation; accepting makes them caretaker."""
    invitation = pending_for(member.id)
    if invitation is None:
        raise BatonRefused("There is no invitation to answer.")
    invitation.answered_at, invitation.accepted = utcnow(), accept
    before = member.role.value
    if accept:
        member.role = Role.CARETAKER
    audit.record(member, AuditKind.ROLE if accept else AuditKind.INVITE, f"member {member.id}",
                 f"{member.display_name} {'accepted' if accept else 'declined'} the "
                 "invitation to become caretaker",
                 {"role": before}, {"role": member.role.value})
    return invitation


def step_down(caretaker: User) -> None:
    """Back to member, unless they are the last caretaker. Every caretaker's row is locked
    in one order first, so two stepping down at once go one after the other, and the
    second sees the first is gone."""
    if caretaker.role is not Role.CARETAKER:
        raise BatonRefused("Only a caretaker can step down.")
    caretakers = db.session.scalars(
        select(User.id).where(User.role == Role.CARETAKER).order_by(User.id)
        .with_for_update()).all()
    if set(caretakers) <= {caretaker.id}:
        raise BatonRefused("You are the last caretaker: invite a member to take over first.")
    caretaker.role = Role.MEMBER
    audit.record(caretaker, AuditKind.ROLE, f"member {caretaker.id}",
                 f"{caretaker.display_name} stepped down to member",
                 {"role": "caretaker"}, {"role": "member"})


def caretaker_count() -> int:
    return db.session.scalar(select(func.count()).where(User.role == Role.CARETAKER))
