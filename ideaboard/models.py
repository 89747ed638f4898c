"""Typed SQLAlchemy models: the whole schema, with the rules it enforces."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Protocol

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Double,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ideaboard.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Role(enum.StrEnum):
    MEMBER = "member"
    CARETAKER = "caretaker"


class Status(enum.StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Delivery(enum.StrEnum):
    """How a member hears of one kind of event on the ideas they follow."""

    INSTANT = "instant"  # an email as it happens
    DIGEST = "digest"  # a line in the weekly digest
    OFF = "off"


class Account(Protocol):
    """Whom a service acts for: a User row, or the request's SignedIn (auth/access.py)."""

    id: int

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_caretaker(self) -> bool: ...


BIO_MAX, HANDLE_MAX = 300, 30


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.MEMBER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A suspended member reads but cannot post, vote, comment or flag.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the member followed the link mailed to their address (None: not yet).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Their profile: a few words about them, and their handle on the chat's network
    # (without the "@"); both plain text.
    bio: Mapped[str | None] = mapped_column(String(BIO_MAX))
    handle: Mapped[str | None] = mapped_column(String(HANDLE_MAX))
    # What they hear of the ideas they follow (services/notifications.py): status changes
    # and official responses, new comments, and replies to their own comments.
    notify_updates: Mapped[Delivery] = mapped_column(
        _enum(Delivery, "notify_updates"), default=Delivery.INSTANT, server_default="instant")
    notify_comments: Mapped[Delivery] = mapped_column(
        _enum(Delivery, "notify_comments"), default=Delivery.OFF, server_default="off")
    notify_replies: Mapped[Delivery] = mapped_column(
        _enum(Delivery, "notify_replies"), default=Delivery.INSTANT, server_default="instant")
    # The weekly digest (services/digest.py): on unless they opt out.
    digest_subscribed: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # The member deleted their account: this row stays, emptied, as "A former member", the
    # author of whatever they chose to leave (services/account_deletion.py).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_caretaker(self) -> bool:
        return self.role is Role.CARETAKER

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class LoginSession(db.Model):
    """One signed-in browser. Its token is in that browser's session and remember cookies
    (only a hash of it here), so ending the row makes every copy of those cookies
    worthless: logging out ends this one, a password change can end the others."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(db.Model):
    """A member's personal token for scripts and tools using the JSON API, sent as
    `Authorization: Bearer <token>`. Shown once when made; only its hash is kept here, so a
    copy of the database lets no one in (services/api_tokens.py)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most once a minute (api_tokens.TOUCH_EVERY): a busy script costs no more.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)


# The board only ever lists what is public; these partial indexes hold exactly that.
PUBLIC_IDEA = text("hidden_at IS NULL AND withdrawn_at IS NULL")
PUBLIC_COMMENT = text("hidden_at IS NULL")
TOP_LEVEL_COMMENT = text("parent_id IS NULL")
REPLY = text("parent_id IS NOT NULL")


def _public_index(name: str, *columns: str) -> Index:
    return Index(name, *columns, sqlite_where=PUBLIC_IDEA, postgresql_where=PUBLIC_IDEA)


class Idea(db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        _public_index("ix_ideas_top", "vote_count", "created_at", "id"),
        _public_index("ix_ideas_trending", "trending_score", "created_at", "id"),
        _public_index("ix_ideas_new", "created_at", "id"),
        _public_index("ix_ideas_discussed", "comment_count", "created_at", "id"),
        _public_index("ix_ideas_category_top", "category_id", "vote_count", "created_at", "id"),
        # A status can be rare (a handful "in progress"): filtering one must not scan them all.
        _public_index("ix_ideas_status_top", "status", "vote_count", "created_at", "id"),
        _public_index("ix_ideas_status_trending", "status", "trending_score", "created_at", "id"),
        _public_index("ix_ideas_status_new", "status", "created_at", "id"),
        _public_index("ix_ideas_status_discussed", "status", "comment_count", "created_at", "id"),
        # A member's ideas, newest first (their profile, "My ideas").
        Index("ix_ideas_author", "author_id", "created_at", "id"),
        Index("ix_ideas_hidden", "hidden_at", "id", sqlite_where=text("hidden_at IS NOT NULL"),
              postgresql_where=text("hidden_at IS NOT NULL")),
        CheckConstraint("vote_count >= 0", name="vote_count_not_negative"),
        CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text)
    description_html: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.OPEN)
    official_response: Mapped[str | None] = mapped_column(Text)
    official_response_html: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Sum over votes of 2**((voted_at - EPOCH) / HALF_LIFE): see services/ranking.py.
    trending_score: Mapped[float] = mapped_column(Double, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # content edits only
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Merged into another idea (services/merging.py); a merged idea is hidden too, so every
    # list and vote leaves it out.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    # A host nomination waiting for the nominee's yes (services/nominations.py): its votes
    # count, but only the caretaker sees how many.
    awaiting_consent: Mapped[bool] = mapped_column(default=False)

    # Lists show the category (five rows, found in the session once loaded) but not the
    # author; pages that show authors load them with the ideas.
    author: Mapped[User] = relationship()
    category: Mapped[Category] = relationship()

    @property
    def is_public(self) -> bool:
        return self.hidden_at is None and self.withdrawn_at is None


class Vote(db.Model):
    """One row per member and idea: the primary key is the one-vote rule."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_idea_created", "idea_id", "created_at"),
                      # A member's votes, newest first ("My votes").
                      Index("ix_votes_user_created", "user_id", "created_at"))

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index(
            "ix_comments_thread",
            "idea_id",
            "created_at",
            "id",
            sqlite_where=PUBLIC_COMMENT,
            postgresql_where=PUBLIC_COMMENT,
        ),
        CheckConstraint(
            "author_id IS NOT NULL OR guest_name IS NOT NULL", name="has_author_or_guest_name"
        ),
        Index("ix_comments_held", "held_at", "id", sqlite_where=text("held_at IS NOT NULL"),
              postgresql_where=text("held_at IS NOT NULL")),
        # An idea's page: a page of its comments, then the replies under those.
        Index("ix_comments_top", "idea_id", "created_at", "id",
              sqlite_where=TOP_LEVEL_COMMENT, postgresql_where=TOP_LEVEL_COMMENT),
        Index("ix_comments_replies", "parent_id", "created_at", "id",
              sqlite_where=REPLY, postgresql_where=REPLY),
        # A member's comments, newest first (their profile).
        Index("ix_comments_author", "author_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    guest_name: Mapped[str | None] = mapped_column(String(50))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Waiting for the caretaker's approval (board setting "Visitor comments: moderated"); a
    # held comment is hidden too, so everything that shows public comments leaves it out.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The idea it was first posted on, while that idea is merged into this one's.
    merged_from_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    # The comment this one answers: replies go one level deep, so never itself a reply.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deleted by its author while it had replies: kept, emptied and hidden, so that the
    # replies keep their place under "Comment deleted".
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A visitor who left their email asked to be emailed replies to this comment.
    email_replies: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def display_name(self) -> str:
        return self.author.display_name if self.author else (self.guest_name or "")

    @property
    def is_member_comment(self) -> bool:
        return self.author_id is not None


class Follow(db.Model):
    """A member follows an idea: they hear of its changes as their settings say. Posting,
    voting and commenting follow it; the button on its page follows or unfollows."""

    __tablename__ = "follows"
    # The idea's followers, for the mail its changes send.
    __table_args__ = (Index("ix_follows_idea", "idea_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BoardState(db.Model):
    """One row: counters bumped by every commit that changes what pages show,
    `comment_generation` for comments, `vote_generation` for votes (and comment counts),
    `generation` for everything else (ideas, statuses, hiding).

    Cached pages are keyed by them, so every worker and instance sharing the database stops
    serving a page the moment anything but a vote on it may have changed, and within a
    second of a vote (services/freshness.py).
    """

    __tablename__ = "board_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    vote_generation: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    comment_generation: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class StatusChange(db.Model):
    """One change of an idea's status or official response: the idea's public history."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_idea", "idea_id", "id"),
                      Index("ix_status_changes_created", "created_at", "id"),
                      Index("ix_status_changes_status", "to_status", "created_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[Status] = mapped_column(_enum(Status, "from_status"))
    to_status: Mapped[Status] = mapped_column(_enum(Status, "to_status"))
    response_html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class AuditKind(enum.StrEnum):
    """What a caretaker did; the audit log is filtered by these."""

    STATUS = "status"
    RESPONSE = "response"
    MERGE = "merge"
    UNMERGE = "unmerge"
    HIDE = "hide"
    RESTORE = "restore"
    APPROVE = "approve"
    DISMISS = "dismiss"
    DELETE = "delete"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    SETTINGS = "settings"
    ROLE = "role"
    INVITE = "invite"
    CHAT = "chat"

    @property
    def label(self) -> str:
        return {"unmerge": "Undo merge", "unsuspend": "Lift suspension",
                "dismiss": "Dismiss flags", "role": "Role change",
                "invite": "Caretaker invitation"}.get(self.value, self.value.capitalize())


class AuditEntry(db.Model):
    """One caretaker action, as it was: who, when, what, the state before and after.
    Append-only: the app has no way to change or remove an entry (audit.install refuses
    it in the ORM)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_kind", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[AuditKind] = mapped_column(_enum(AuditKind, "audit_kind"))
    subject: Mapped[str] = mapped_column(String(200))  # "idea 12", "comment 7", "member 3"
    summary: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Flag(db.Model):
    """Someone's report that an idea or a comment needs the caretaker's eye; open until the
    caretaker hides the content or dismisses the report."""

    __tablename__ = "flags"
    __table_args__ = (
        CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name="one_thing"),
        Index("ix_flags_open", "created_at", "id", sqlite_where=text("resolved_at IS NULL"),
              postgresql_where=text("resolved_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(40))
    details: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BoardSetting(db.Model):
    """A board setting the caretaker changes in the app (services/settings.py has the list
    and the defaults)."""

    __tablename__ = "board_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Merge(db.Model):
    """Idea `source_id` merged into `target_id`: what moved is kept beside it (MergedVote,
    MergedComment), so the merge can be undone exactly."""

    __tablename__ = "merges"
    __table_args__ = (Index("ix_merges_target", "target_id", "id"),
                      Index("ix_merges_source", "source_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    source: Mapped[Idea] = relationship(foreign_keys=[source_id])
    target: Mapped[Idea] = relationship(foreign_keys=[target_id])


class MergedVote(db.Model):
    """A vote the source idea had when merged: moved to the target, or dropped because the
    member had voted for the target too (one vote each)."""

    __tablename__ = "merged_votes"

    merge_id: Mapped[int] = mapped_column(ForeignKey("merges.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    moved: Mapped[bool]


class MergedComment(db.Model):
    """A comment that moved with a merge."""

    __tablename__ = "merged_comments"

    merge_id: Mapped[int] = mapped_column(ForeignKey("merges.id", ondelete="CASCADE"),
                                          primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"),
                                            primary_key=True)


class Chat(db.Model):
    """A planned #HITsm chat: when (kept in UTC, shown in its time zone), who hosts (a
    member, or a handle on the chat's network), its questions and the ideas it came from."""

    __tablename__ = "chats"
    __table_args__ = (
        Index("ix_chats_starts", "starts_at", "id"),
        CheckConstraint("host_id IS NOT NULL OR host_handle IS NOT NULL", name="has_host"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(140))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    host_handle: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host: Mapped[User | None] = relationship()
    questions: Mapped[list[ChatQuestion]] = relationship(
        order_by="ChatQuestion.position", cascade="all, delete-orphan")
    ideas: Mapped[list[Idea]] = relationship(secondary="chat_ideas", order_by="Idea.id")

    @property
    def host_name(self) -> str:
        return self.host.display_name if self.host else (self.host_handle or "")


class ChatQuestion(db.Model):
    __tablename__ = "chat_questions"

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"),
                                         primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)  # 1 for T1
    text: Mapped[str] = mapped_column(Text)


class ChatIdea(db.Model):
    """An idea a chat came from."""

    __tablename__ = "chat_ideas"

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"),
                                         primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class Message(db.Model):
    """A private note to the caretaker ("Contact the caretaker"): only caretakers see it."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_inbox", "archived_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(254))  # where to answer
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaretakerInvitation(db.Model):
    """A caretaker asks a member to become caretaker too; the member accepts or declines."""

    __tablename__ = "caretaker_invitations"
    __table_args__ = (Index("ix_caretaker_invitations_invitee", "invitee_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[bool | None]

    inviter: Mapped[User] = relationship(foreign_keys=[inviter_id])
    invitee: Mapped[User] = relationship(foreign_keys=[invitee_id])


PENDING_MAIL = text("sent_at IS NULL AND failed_at IS NULL")


class OutboxMessage(db.Model):
    """An e-mail to send, queued in the same transaction as the change it tells of; the
    worker (services/outbox.py) sends it later, never the request. A worker claims a row
    until `claimed_until`, so two workers never send it at once; a send that fails is tried
    again after a back-off, and after the last try the row is marked failed and kept."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "next_attempt_at", "id", sqlite_where=PENDING_MAIL,
              postgresql_where=PENDING_MAIL),
        Index("ix_outbox_failed", "failed_at", "id", sqlite_where=text("failed_at IS NOT NULL"),
              postgresql_where=text("failed_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # Message-ID, Reply-To, List-Unsubscribe…: fixed when queued, so a retry is the same mail.
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # What the mail is for ("digest:2026-W49:12"): queued once; a second try is refused.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class DigestRun(db.Model):
    """One week's digest (`flask send-digest`): what it covers, fixed when it starts, and
    how far it got, so a second run that week sends nothing and a run after a crash goes on
    from the last member whose mail was committed."""

    __tablename__ = "digest_runs"

    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO week, "2026-W49"
    covers_from: Mapped[datetime] = mapped_column(UTCDateTime)
    covers_until: Mapped[datetime] = mapped_column(UTCDateTime)
    last_user_id: Mapped[int] = mapped_column(default=0)  # members are taken in id order
    last_subscriber_id: Mapped[int] = mapped_column(default=0)  # then visitors, likewise
    queued: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Review(db.Model):
    """The caretaker's review of what the community wants: the top of the board as it stood
    when they started it, compared with the review before, and the short public summary
    they wrote afterwards (shown on /decisions once written)."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_published", "published_at", "id",
              sqlite_where=text("published_at IS NOT NULL"),
              postgresql_where=text("published_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str | None] = mapped_column(Text)  # Markdown, as the caretaker wrote it
    summary_html: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    started_by: Mapped[User | None] = relationship()


class ReviewEntry(db.Model):
    """One idea of a review's top 20, with the figures it had then."""

    __tablename__ = "review_entries"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           primary_key=True)
    rank: Mapped[int] = mapped_column(primary_key=True)  # 1 for the top idea
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"),
                                         index=True)
    vote_count: Mapped[int]
    trending: Mapped[float] = mapped_column(Double)  # the decayed score, as of started_at


class Subscriber(db.Model):
    """A visitor who asked for the weekly digest by email, with no account: subscribed once
    they confirm from the mail (double opt-in). The row stays after they unsubscribe, so
    that a new request is answered by the same rules (one confirmation mail a day)."""

    __tablename__ = "subscribers"
    __table_args__ = (
        Index("ix_subscribers_receiving", "id",
              sqlite_where=text("confirmed_at IS NOT NULL AND unsubscribed_at IS NULL"),
              postgresql_where=text("confirmed_at IS NOT NULL AND unsubscribed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # as typed, lower-cased
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmation_sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def receiving(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class WebhookFormat(enum.StrEnum):
    """How a webhook's deliveries are shaped."""

    STANDARD = "standard"  # {"type", "timestamp", "data"}, signed (Standard Webhooks)
    SLACK = "slack"  # {"text": ...}, for a Slack incoming webhook
    DISCORD = "discord"  # {"content": ...}, for a Discord webhook

    @property
    def label(self) -> str:
        return {"standard": "JSON (Standard Webhooks)", "slack": "Slack incoming webhook",
                "discord": "Discord webhook"}[self.value]


class Webhook(db.Model):
    """Where the caretaker wants the board's events POSTed, which events, and the secret
    each delivery is signed with."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    format: Mapped[WebhookFormat] = mapped_column(_enum(WebhookFormat, "format"),
                                                  default=WebhookFormat.STANDARD)
    secret: Mapped[str] = mapped_column(String(100))  # "whsec_" + base64, as Standard Webhooks
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


PENDING_DELIVERY = text("sent_at IS NULL AND failed_at IS NULL")


class WebhookDelivery(db.Model):
    """One event for one webhook, queued in the same transaction as the change, delivered
    by the worker as mail is (services/outbox.py: the same lease, tries and back-off); its
    body is fixed when queued, its signature made at each try (it carries the time)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "next_attempt_at", "id",
              sqlite_where=PENDING_DELIVERY, postgresql_where=PENDING_DELIVERY),
        Index("ix_webhook_deliveries_hook", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(40), unique=True)  # webhook-id: same on retry
    body: Mapped[str] = mapped_column(Text)  # the JSON as sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # answered with a 2xx
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]  # the receiver's last HTTP status, if it answered
    last_error: Mapped[str | None] = mapped_column(String(500))


class Consent(enum.StrEnum):
    """Where a host nomination stands with the person it names."""

    NOT_ASKED = "not_asked"  # no email given: nobody could be asked
    AWAITING = "awaiting"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Nomination(db.Model):
    """A "Host to invite" idea's nominee: who (their email never shown), and whether they
    agreed to be proposed."""

    __tablename__ = "nominations"
    __table_args__ = (Index("ix_nominations_email", "email", "created_at"),)

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"),
                                         primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    handle: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))  # lower-cased; never shown
    consent: Mapped[Consent] = mapped_column(_enum(Consent, "consent"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    idea: Mapped[Idea] = relationship()


class HostOffer(db.Model):
    """A member's "I'd like to host", with the topics they could host."""

    __tablename__ = "host_offers"
    __table_args__ = (Index("ix_host_offers_created", "created_at", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    topics: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
