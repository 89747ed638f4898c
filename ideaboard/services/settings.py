"""Board settings the caretaker changes in the app: kept as rows of text, read as one typed
value, changed with an audit entry."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, fields, replace

from flask import g, has_app_context
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Account, AuditKind, BoardSetting
from ideaboard.services import audit
from ideaboard.services.freshness import mark_board_changed


class VisitorComments(enum.StrEnum):
    OPEN = "open"  # visitors' comments appear at once
    MODERATED = "moderated"  # they wait in the caretaker's queue
    OFF = "off"  # only members comment

    @property
    def label(self) -> str:
        return {"open": "Open: visitors' comments appear at once",
                "moderated": "Moderated: visitors' comments wait for approval",
                "off": "Off: only members can comment"}[self.value]


@dataclass(frozen=True)
class Settings:
    visitor_comments: VisitorComments = VisitorComments.OPEN
    chat_hashtag: str = "#HITsm"  # ends every chat question as posted
    post_limit: int = 280  # characters per post on the chat's network, hashtag included
    # Members post ideas and comments only once they confirmed their address.
    posting_needs_confirmed_email: bool = False


_PARSERS = {"visitor_comments": VisitorComments, "chat_hashtag": str, "post_limit": int,
            "posting_needs_confirmed_email": lambda stored: stored == "True"}


def current() -> Settings:
    """The board's settings, read once per request."""
    if has_app_context() and "board_settings" in g:
        return g.board_settings
    stored = dict(db.session.execute(select(BoardSetting.key, BoardSetting.value)).all())
    values = {}
    for field in fields(Settings):
        if field.name in stored:
            try:
                values[field.name] = _PARSERS[field.name](stored[field.name])
            except ValueError:
                continue  # a value from an older version: the default holds
    settings = Settings(**values)
    if has_app_context():
        g.board_settings = settings
    return settings


def change(actor: Account, **changes) -> Settings:
    """Store the changed settings (in the session's transaction) and record them; pages that
    depend on them are fresh at once."""
    before = current()
    after = replace(before, **changes)
    changed = {k: v for k, v in asdict(after).items() if asdict(before)[k] != v}
    if not changed:
        return before
    for key, value in changed.items():
        row = db.session.get(BoardSetting, key)
        if row is None:
            db.session.add(BoardSetting(key=key, value=str(value)))
        else:
            row.value = str(value)
    mark_board_changed()
    audit.record(actor, AuditKind.SETTINGS, "board",
                 "Changed " + ", ".join(k.replace("_", " ") for k in changed),
                 {k: str(asdict(before)[k]) for k in changed},
                 {k: str(v) for k, v in changed.items()})
    g.board_settings = after
    return after
