"""What the followers of an idea hear of it, and how they stop hearing it.

Three kinds of event reach a member, each as their settings say (at once by email, in the
weekly digest, or not at all): the caretaker changes an idea's status or answers it
("updates"), someone comments on an idea they follow ("comments", off unless they turn it
on), someone replies to their comment ("replies"). A visitor who left an email on a
comment and ticked "email me replies" hears of replies to it.

Mail is queued in the transaction of the change that causes it (services/mail.py), only to
confirmed addresses of members who are not suspended, never to whoever made the change,
and at most once per event and person. Every mail carries a link that unsubscribes from
its kind with one click, without logging in (RFC 8058): a signed token, which does not
expire, so that the link in an old mail still works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Comment, Delivery, Follow, Idea, StatusChange, Subscriber, User, utcnow
from ideaboard.services.categories import slugify
from ideaboard.services.mail import link, queue_mail

UPDATES, COMMENTS, REPLIES, DIGEST = "updates", "comments", "replies", "digest"
# What each kind is called where a member reads about it (settings, unsubscribe page).
KIND_NAMES = {
    UPDATES: "status changes and the caretaker's answers on ideas you follow",
    COMMENTS: "new comments on ideas you follow",
    REPLIES: "replies to your comments",
    DIGEST: "the weekly digest",
}
_SETTING = {UPDATES: User.notify_updates, COMMENTS: User.notify_comments,
            REPLIES: User.notify_replies}


@dataclass(frozen=True)
class Recipient:
    user_id: int | None  # None: a visitor, by the comment they left
    email: str
    name: str
    unsubscribe_url: str


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def member_unsubscribe_url(user_id: int, kind: str) -> str:
    return link("notifications.unsubscribe", token=_signer().dumps(["m", user_id, kind]))


def visitor_unsubscribe_url(comment_id: int) -> str:
    return link("notifications.unsubscribe", token=_signer().dumps(["c", comment_id]))


def subscriber_unsubscribe_url(subscriber_id: int) -> str:
    return link("notifications.unsubscribe", token=_signer().dumps(["s", subscriber_id]))


@dataclass(frozen=True)
class Unsubscription:
    """What a genuine unsubscribe link stops: a member's kind of mail, the replies to a
    visitor's comment, or a visitor's weekly digest."""

    user: User | None
    kind: str | None
    comment: Comment | None
    subscriber: Subscriber | None = None

    @property
    def description(self) -> str:
        if self.subscriber is not None:
            return "the weekly digest"
        if self.comment is not None:
            return "emails about replies to your comment"
        return f"emails about {KIND_NAMES[self.kind]}"

    @property
    def already_done(self) -> bool:
        if self.subscriber is not None:
            return self.subscriber.unsubscribed_at is not None
        if self.comment is not None:
            return not self.comment.email_replies
        if self.kind == DIGEST:
            return not self.user.digest_subscribed
        return getattr(self.user, _SETTING[self.kind].key) is Delivery.OFF

    def apply(self) -> None:
        if self.subscriber is not None:
            self.subscriber.unsubscribed_at = self.subscriber.unsubscribed_at or utcnow()
        elif self.comment is not None:
            self.comment.email_replies = False
        elif self.kind == DIGEST:
            self.user.digest_subscribed = False
        else:
            setattr(self.user, _SETTING[self.kind].key, Delivery.OFF)


def read_unsubscribe_token(token: str) -> Unsubscription | None:
    """What the token unsubscribes from, if it is genuine and names someone still here."""
    try:
        fields = _signer().loads(token)
        if fields[0] == "m" and fields[2] in KIND_NAMES:
            user = db.session.get(User, int(fields[1]))
            return Unsubscription(user, fields[2], None) if user is not None else None
        if fields[0] == "c":
            comment = db.session.get(Comment, int(fields[1]))
            return Unsubscription(None, None, comment) if comment is not None else None
        if fields[0] == "s":
            subscriber = db.session.get(Subscriber, int(fields[1]))
            return Unsubscription(None, None, None, subscriber) if subscriber else None
    except (BadSignature, ValueError, TypeError, IndexError, OverflowError):
        return None
    return None


def idea_answered(idea: Idea, change: StatusChange) -> None:
    """Tell the idea's followers that the caretaker changed its status or answered it."""
    status_changed = change.from_status is not change.to_status
    if not status_changed and change.response_html is None:
        return  # an answer taken back: nothing new to read
    if status_changed:
        subject = f"“{idea.title}” is now {change.to_status.label}"
    else:
        subject = f"The caretaker answered “{idea.title}”"
    for recipient in _followers(idea.id, UPDATES, exclude={change.actor_id}):
        _queue(recipient, subject, "idea_update", idea=idea, change=change,
               status_changed=status_changed, idea_link=_idea_link(idea))


def comment_published(comment: Comment, idea: Idea) -> None:
    """Tell the author of the comment it answers, and the idea's followers who asked for
    comments, that `comment` is on the page now (posted, or approved by the caretaker)."""
    told = {comment.author_id} if comment.author_id else set()
    comment_link = link("ideas.comment_link", comment_id=comment.id)
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    replied_to = _reply_recipient(parent) if parent is not None else None
    if replied_to is not None and replied_to.user_id not in told:
        _queue(replied_to, f"{comment.display_name} replied to your comment on “{idea.title}”",
               "new_reply", idea=idea, comment=comment, comment_link=comment_link)
        told.add(replied_to.user_id)
    for recipient in _followers(idea.id, COMMENTS, exclude=told):
        _queue(recipient, f"{comment.display_name} commented on “{idea.title}”",
               "new_comment", idea=idea, comment=comment, comment_link=comment_link)


def _queue(recipient: Recipient, subject: str, template: str, **context) -> None:
    settings_url = link("notifications.settings") if recipient.user_id else None
    queue_mail(recipient.email, subject, template, reader=recipient,
               unsubscribe_url=recipient.unsubscribe_url, settings_url=settings_url,
               **context)


def _reply_recipient(parent: Comment) -> Recipient | None:
    if parent.deleted_at is not None:
        return None
    if parent.author_id is None:
        if parent.guest_email and parent.email_replies:
            return Recipient(None, parent.guest_email, parent.guest_name or "",
                             visitor_unsubscribe_url(parent.id))
        return None
    return next(iter(_members(REPLIES, User.id == parent.author_id)), None)


def _followers(idea_id: int, kind: str, exclude: Iterable[int | None]) -> list[Recipient]:
    excluded = {user_id for user_id in exclude if user_id is not None}
    following = select(Follow.user_id).where(Follow.idea_id == idea_id)
    return [recipient for recipient in _members(kind, User.id.in_(following))
            if recipient.user_id not in excluded]


def _members(kind: str, *criteria) -> list[Recipient]:
    """The members matching `criteria` who want `kind` by email at once, and can get it."""
    rows = db.session.execute(
        select(User.id, User.email, User.display_name)
        .where(*criteria, _SETTING[kind] == Delivery.INSTANT,
               User.email_verified_at.is_not(None), User.suspended_at.is_(None))
        .order_by(User.id))
    return [Recipient(user_id, email, name, member_unsubscribe_url(user_id, kind))
            for user_id, email, name in rows]


def _idea_link(idea: Idea) -> str:
    slug = slugify(idea.title)
    return link("ideas.show", idea_id=idea.id, slug=slug or None)
