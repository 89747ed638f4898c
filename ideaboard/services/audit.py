"""The audit log: every caretaker action, recorded in the transaction that makes it, so the
action and its entry are committed (or rolled back) together. Entries are never changed
or removed by the app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ideaboard.extensions import db
from ideaboard.models import Account, AuditEntry, AuditKind, User, utcnow
from ideaboard.services.paging import NewestFirst, newest_first

ENTRIES_PER_PAGE = 50


class AppendOnly(RuntimeError):
    """Something tried to change or delete an audit entry."""


def record(actor: Account, kind: AuditKind, subject: str, summary: str,
           before: dict | None = None, after: dict | None = None,
           at: datetime | None = None) -> AuditEntry:
    """Add an entry for what `actor` did to `subject` (e.g. "idea 12") in the session's
    transaction."""
    entry = AuditEntry(actor_id=actor.id, actor_name=_name_of(actor), kind=kind,
                       subject=subject, summary=summary[:300], before=before, after=after,
                       created_at=at or utcnow())
    db.session.add(entry)
    return entry


def _name_of(actor: Account) -> str:
    name = getattr(actor, "display_name", None)
    if name is None:
        name = db.session.get(User, actor.id).display_name
    return name


def log_page(kind: AuditKind | None = None, before_id: int | None = None,
             per_page: int = ENTRIES_PER_PAGE) -> NewestFirst[AuditEntry]:
    """Newest first (by id, which only grows), optionally of one kind (ix_audit_log_kind)."""
    query = select(AuditEntry)
    if kind is not None:
        query = query.where(AuditEntry.kind == kind)
    return newest_first(query, AuditEntry.id, before_id, per_page)


def _refuse_changes(session: Session, flush_context, instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted
                                            or session.is_modified(obj)):
            raise AppendOnly("audit log entries cannot be changed or deleted")


def install() -> None:
    """Refuse, in every session, a flush that would change or delete an entry."""
    if not event.contains(Session, "before_flush", _refuse_changes):
        event.listen(Session, "before_flush", _refuse_changes)
