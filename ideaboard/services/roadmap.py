"""The roadmap: what the community decided to do, in three columns (planned, in progress,
done in the last 90 days), each idea with the chats it is planned for or was discussed in.

Four queries whatever the number of ideas: one per column, one for their chats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Chat, ChatIdea, Idea, Status, StatusChange, utcnow

PER_COLUMN = 30
DONE_WITHIN = timedelta(days=90)
_ON_THE_BOARD = Idea.hidden_at.is_(None) & Idea.withdrawn_at.is_(None)


@dataclass(frozen=True)
class ChatLink:
    id: int
    title: str
    starts_at: datetime
    done: bool


@dataclass
class RoadmapIdea:
    id: int
    title: str
    vote_count: int
    chats: list[ChatLink] = field(default_factory=list)


@dataclass
class Column:
    status: Status
    ideas: list[RoadmapIdea]
    more: bool  # more ideas than the column shows: the board's filter lists them all


def columns(now: datetime | None = None) -> list[Column]:
    now = now or utcnow()
    found = {Status.PLANNED: _most_voted(Status.PLANNED),
             Status.IN_PROGRESS: _most_voted(Status.IN_PROGRESS),
             Status.DONE: _done_since(now - DONE_WITHIN)}
    shown = [Column(status, ideas[:PER_COLUMN], len(ideas) > PER_COLUMN)
             for status, ideas in found.items()]
    _add_chats([idea for column in shown for idea in column.ideas])
    return shown


def _most_voted(status: Status) -> list[RoadmapIdea]:
    """The column's ideas, most wanted first (the board's status index)."""
    rows = db.session.execute(
        select(Idea.id, Idea.title, Idea.vote_count)
        .where(_ON_THE_BOARD, Idea.status == status)
        .order_by(Idea.vote_count.desc(), Idea.created_at.desc(), Idea.id.desc())
        .limit(PER_COLUMN + 1))
    return [RoadmapIdea(*row) for row in rows]


def _done_since(since: datetime) -> list[RoadmapIdea]:
    """Ideas done, most recently done first, if they were marked done since `since`."""
    marked = func.max(StatusChange.created_at).label("marked")
    rows = db.session.execute(
        select(Idea.id, Idea.title, Idea.vote_count, marked)
        .join(StatusChange, StatusChange.idea_id == Idea.id)
        .where(_ON_THE_BOARD, Idea.status == Status.DONE,
               StatusChange.to_status == Status.DONE, StatusChange.created_at >= since)
        .group_by(Idea.id, Idea.title, Idea.vote_count)
        .order_by(marked.desc(), Idea.id.desc()).limit(PER_COLUMN + 1))
    return [RoadmapIdea(idea_id, title, votes) for idea_id, title, votes, _marked in rows]


def _add_chats(ideas: list[RoadmapIdea]) -> None:
    by_id = {idea.id: idea for idea in ideas}
    if not by_id:
        return
    rows = db.session.execute(
        select(ChatIdea.idea_id, Chat.id, Chat.title, Chat.starts_at, Chat.done_at)
        .join(Chat, Chat.id == ChatIdea.chat_id).where(ChatIdea.idea_id.in_(by_id))
        .order_by(Chat.starts_at, Chat.id))
    for idea_id, chat_id, title, starts_at, done_at in rows:
        by_id[idea_id].chats.append(ChatLink(chat_id, title, starts_at, done_at is not None))
