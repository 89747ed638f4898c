"""The audit log: written with each caretaker action, never changed afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import AuditEntry, AuditKind
from ideaboard.services import audit, ideas
from tests.conftest import get_idea


def _entries(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return entries


def test_an_action_and_its_entry_commit_or_roll_back_together(app, make_idea, caretaker):
    idea_id = make_idea("Weekly recap")
    with app.app_context():
        ideas.set_idea_hidden(get_idea(app, idea_id), True, caretaker)
        db.session.rollback()
    assert _entries(app) == []
    with app.app_context():
        idea = db.session.merge(get_idea(app, idea_id))
        ideas.set_idea_hidden(idea, True, caretaker)
        db.session.commit()
    [entry] = _entries(app)
    assert (entry.kind, entry.subject, entry.actor_name) == (AuditKind.HIDE, f"idea {idea_id}",
                                                              "The Caretaker")
    assert entry.before == {"hidden": False} and entry.after == {"hidden": True}
    assert "Weekly recap" in entry.summary


@pytest.mark.parametrize("change", ["update", "delete"])
def test_entries_cannot_be_changed_or_deleted(app, caretaker, change):
    with app.app_context():
        audit.record(caretaker, AuditKind.SETTINGS, "board", "Visitor comments: moderated",
                     {"visitor_comments": "open"}, {"visitor_comments": "moderated"})
        db.session.commit()
        entry = db.session.scalar(select(AuditEntry))
        if change == "update":
            entry.summary = "Nothing happened"
        else:
            db.session.delete(entry)
        with pytest.raises(audit.AppendOnly):
            db.session.flush()
        db.session.rollback()
    [entry] = _entries(app)
    assert entry.summary == "Visitor comments: moderated"


def test_the_log_pages_newest_first_and_filters_by_kind(app, caretaker):
    with app.app_context():
        for n in range(5):
            audit.record(caretaker, AuditKind.HIDE if n % 2 else AuditKind.STATUS,
                         f"idea {n}", f"action {n}")
        db.session.commit()
        first = audit.log_page(per_page=2)
        assert [e.summary for e in first.items] == ["action 4", "action 3"]
        second = audit.log_page(before_id=first.next_before, per_page=2)
        assert [e.summary for e in second.items] == ["action 2", "action 1"]
        hides = audit.log_page(AuditKind.HIDE)
        assert [e.summary for e in hides.items] == ["action 3", "action 1"]
        assert hides.next_before is None
