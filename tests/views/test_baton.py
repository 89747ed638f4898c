"""Handing over the baton: invite, accept or decline, step down; never no caretaker."""

from __future__ import annotations

from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import AuditEntry, AuditKind, Role, User
from tests.conftest import post_form, sign_in


def _role(app, user_id: int) -> Role:
    with app.app_context():
        return db.session.get(User, user_id).role


def test_invite_accept_and_the_old_caretaker_steps_down(app, caretaker_client, caretaker,
                                                        member, visitor):
    assert post_form(caretaker_client,
                     f"/caretaker/members/{member.id}/invite").status_code == 302
    assert "Invited to be caretaker" in caretaker_client.get("/caretaker/members").get_data(
        as_text=True)
    sign_in(visitor, member)
    page = visitor.get("/account").get_data(as_text=True)
    assert "You are invited to become caretaker" in page
    post_form(visitor, "/account/invitation/accept")
    assert _role(app, member.id) is Role.CARETAKER
    assert visitor.get("/caretaker").status_code == 200  # at once, on the next request
    post_form(caretaker_client, "/account/step-down")
    assert _role(app, caretaker.id) is Role.MEMBER
    assert caretaker_client.get("/caretaker").status_code == 403
    with app.app_context():
        kinds = list(db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.id)))
    assert kinds == [AuditKind.INVITE, AuditKind.ROLE, AuditKind.ROLE]


def test_a_declined_invitation_changes_no_role(app, caretaker_client, member, visitor):
    post_form(caretaker_client, f"/caretaker/members/{member.id}/invite")
    sign_in(visitor, member)
    post_form(visitor, "/account/invitation/decline")
    assert _role(app, member.id) is Role.MEMBER
    assert "You are invited" not in visitor.get("/account").get_data(as_text=True)
    assert post_form(visitor, "/account/invitation/accept").status_code == 409


def test_the_last_caretaker_cannot_step_down(app, caretaker_client, caretaker):
    page = caretaker_client.get("/account").get_data(as_text=True)
    assert "You are the only caretaker" in page and "Step down to member" not in page
    response = post_form(caretaker_client, "/account/step-down")
    assert response.status_code == 409 and "last caretaker" in response.get_data(as_text=True)
    assert _role(app, caretaker.id) is Role.CARETAKER


def test_no_double_invitations_and_none_for_caretakers_or_suspended_members(
        app, caretaker_client, caretaker, member, make_user):
    post_form(caretaker_client, f"/caretaker/members/{member.id}/invite")
    assert post_form(caretaker_client,
                     f"/caretaker/members/{member.id}/invite").status_code == 409
    assert post_form(caretaker_client,
                     f"/caretaker/members/{caretaker.id}/invite").status_code == 409
    suspended = make_user("Suspended")
    post_form(caretaker_client, f"/caretaker/members/{suspended.id}/suspend")
    assert post_form(caretaker_client,
                     f"/caretaker/members/{suspended.id}/invite").status_code == 409

