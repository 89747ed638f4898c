"""Planning the next chats from the community's ideas: a chat has a time (kept in UTC, shown
in its own time zone), a host, 3 to 6 questions and the ideas it came from; planning moves
those ideas to Planned, holding the chat marks them Done."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from ideaboard.extensions import db
from ideaboard.models import (
    Account,
    AuditKind,
    Category,
    Chat,
    ChatIdea,
    ChatQuestion,
    Idea,
    Status,
    utcnow,
)
from ideaboard.services import accounts, audit, ideas, paging, webhooks
from ideaboard.services.freshness import mark_board_changed
from ideaboard.services.ranking import public_filter

QUESTIONS_MIN, QUESTIONS_MAX = 3, 6
# The categories whose ideas become chats.
SOURCE_CATEGORIES = ("topic-for-a-future-chat", "host-to-invite")
PLANNABLE = (Status.OPEN, Status.UNDER_REVIEW, Status.PLANNED)  # planned: for another chat
# An idea a chat came from has one of these (only such an idea's page looks for its chats).
CHAT_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.DONE)
CHATS_PER_PAGE = 20


class ChatRefused(ValueError):
    """The chat cannot be planned as asked; the message says why."""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HANDLE_MAX = 50


def resolve_host(named: str) -> tuple[int | None, str | None]:
    """(member id, None) for a member's email, (None, handle) for anything else. An email
    that is no member's is refused, so that it is never shown as a handle."""
    if _EMAIL.match(named):
        host = accounts.find_by_email(named)
        if host is None:
            raise ChatRefused("No member has that email address: give their handle instead "
                              "(an email is never shown).")
        return host.id, None
    if len(named) > HANDLE_MAX:
        raise ChatRefused(f"A handle is at most {HANDLE_MAX} characters.")
    return None, named


def in_utc(local: datetime, time_zone: str) -> datetime:
    """A wall-clock time in `time_zone`, as the UTC moment it is."""
    return local.replace(tzinfo=zoneinfo.ZoneInfo(time_zone)).astimezone(UTC)


def _plannable_idea():
    """On the board, about a topic or a host, not yet done, and not a nomination still
    waiting for its nominee's yes."""
    return and_(public_filter(), Category.slug.in_(SOURCE_CATEGORIES),
                Idea.status.in_(PLANNABLE), Idea.awaiting_consent.is_(False))


def candidate_ideas(limit: int = 50) -> list[Idea]:
    """Ideas a chat can come from: on the board, about a topic or a host, not yet done (a
    planned one may go to another chat); most voted first."""
    return list(db.session.scalars(
        select(Idea).join(Category, Category.id == Idea.category_id)
        .options(selectinload(Idea.category))
        .where(_plannable_idea())
        .order_by(Idea.vote_count.desc(), Idea.id.desc()).limit(limit)))


def plan_chat(actor: Account, *, title: str, starts_at: datetime, time_zone: str,
              host_id: int | None, host_handle: str | None, questions: list[str],
              idea_ids: list[int]) -> Chat:
    """Plan a chat in the session's transaction; its ideas move to Planned (each with its
    history entry and audit entry) and link to it."""
    questions = [q.strip() for q in questions if q and q.strip()]
    if not QUESTIONS_MIN <= len(questions) <= QUESTIONS_MAX:
        raise ChatRefused(f"A chat has {QUESTIONS_MIN} to {QUESTIONS_MAX} questions.")
    chosen = _plannable(idea_ids)
    chat = Chat(title=title, starts_at=starts_at, time_zone=time_zone, host_id=host_id,
                host_handle=host_handle or None, created_at=utcnow())
    chat.questions = [ChatQuestion(position=n, text=text)
                      for n, text in enumerate(questions, start=1)]
    db.session.add(chat)
    db.session.flush()
    for idea in chosen:
        db.session.add(ChatIdea(chat_id=chat.id, idea_id=idea.id))
        ideas.respond(idea, Status.PLANNED, None, actor)
    mark_board_changed()
    webhooks.chat_planned(chat, [idea.id for idea in chosen])
    audit.record(actor, AuditKind.CHAT, f"chat {chat.id}",
                 f"Planned the chat “{title}” for {starts_at:%Y-%m-%d %H:%M} UTC",
                 None, {"title": title, "starts_at": starts_at.isoformat(),
                        "host": chat.host_handle or host_id, "ideas": [i.id for i in chosen],
                        "questions": len(questions)})
    return chat


def _plannable(idea_ids: list[int]) -> list[Idea]:
    if not idea_ids:
        raise ChatRefused("Please choose at least one idea the chat comes from.")
    found = {idea.id: idea for idea in db.session.scalars(
        select(Idea).join(Category, Category.id == Idea.category_id)
        .where(Idea.id.in_(idea_ids), _plannable_idea()))}
    missing = [i for i in idea_ids if i not in found]
    if missing:
        raise ChatRefused(f"Idea {missing[0]} cannot become a chat: only ideas on the board "
                          "about a topic or a host, not yet done, can.")
    return [found[i] for i in sorted(found)]


def mark_done(chat: Chat, actor: Account) -> int:
    """The chat took place: its ideas (those still on the board) become Done, in one
    transaction; how many."""
    if chat.done_at is not None:
        return 0
    chat.done_at = utcnow()
    mark_board_changed()
    changed = sum(ideas.respond(idea, Status.DONE, None, actor)
                  for idea in chat.ideas if idea.is_public)
    audit.record(actor, AuditKind.CHAT, f"chat {chat.id}",
                 f"Marked the chat “{chat.title}” held: {changed} ideas done",
                 {"done": False}, {"done": True, "ideas_done": changed})
    return changed


@dataclass(frozen=True)
class Post:
    """One question as posted during the chat: `T1 … #HITsm`."""

    number: int
    text: str
    limit: int

    @property
    def length(self) -> int:
        return len(self.text)

    @property
    def too_long(self) -> bool:
        return self.length > self.limit


def posts(chat: Chat, hashtag: str, limit: int) -> list[Post]:
    """The chat's questions in the tweet-chat convention, each measured against the
    network's limit (hashtag included)."""
    return [Post(q.position, f"T{q.position} {q.text} {hashtag}".strip(), limit)
            for q in chat.questions]


def _with_parts(query):
    return query.options(selectinload(Chat.questions), selectinload(Chat.ideas),
                         selectinload(Chat.host))


def chats_page(upcoming: bool, after: int | None = None, per_page: int = CHATS_PER_PAGE,
               now: datetime | None = None) -> paging.After[Chat]:
    """Chats not yet over, soonest first, or those held or over, latest first; a page
    starting after the chat with id `after` (keyset on ix_chats_starts)."""
    over = utcnow() - timedelta(hours=1) if now is None else now - timedelta(hours=1)
    if upcoming:
        query = select(Chat).where(Chat.starts_at >= over, Chat.done_at.is_(None))
    else:
        query = select(Chat).where((Chat.starts_at < over) | Chat.done_at.is_not(None))
    anchor = db.session.get(Chat, after) if after is not None else None
    return paging.ordered_after(_with_parts(query), (Chat.starts_at, Chat.id),
                                (anchor.starts_at, anchor.id) if anchor else None, per_page,
                                descending=not upcoming)


def upcoming(limit: int = CHATS_PER_PAGE) -> list[Chat]:
    """The first page of chats not yet over, soonest first."""
    return chats_page(True, per_page=limit).items


def chats_of_idea(idea_id: int) -> list[Chat]:
    return list(db.session.scalars(
        select(Chat).join(ChatIdea, ChatIdea.chat_id == Chat.id)
        .where(ChatIdea.idea_id == idea_id).order_by(Chat.starts_at)))
