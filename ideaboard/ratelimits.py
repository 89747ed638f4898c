"""Rate limits on every write people can repeat: what each may do, per client address or per
member, read from the config (`*_RATE_LIMIT`, in Flask-Limiter's notation) when checked.

Counters live in memory, or in Redis when REDIS_URL is set (shared by every worker and
instance); if Redis goes away they fall back to memory instead of failing the request.
A refused request is a 429 with Retry-After, as an HTML page or JSON (errors.py).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ideaboard.extensions import limiter
from ideaboard.services.accounts import normalize_email


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _per_member() -> str:
    return f"member:{current_user.id}"


def _per_account() -> str:
    """The account a log-in names (the email typed), whether or not it exists."""
    return "account:" + normalize_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code != 302  # a log-in, idea or comment that worked redirects


def _posted(response) -> bool:
    return response.status_code in (201, 302)  # the API's answer, the page's redirect


def _is_member() -> bool:
    return current_user.is_authenticated


def _is_visitor() -> bool:
    return not current_user.is_authenticated


# Per client address: every sign-up attempt.
signup = limiter.limit(_setting("SIGNUP_RATE_LIMIT"), methods=["POST"])
# Per client address every attempt; per account only the failed ones, so that someone
# guessing one member's password from many addresses is stopped, and the member is not.
login_per_address = limiter.limit(_setting("LOGIN_RATE_LIMIT"), methods=["POST"])
login_per_account = limiter.limit(_setting("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"],
                                  key_func=_per_account, deduct_when=_failed)
# Reset links: per client address every request, and per address typed every request
# (whether or not it has an account), so no one fills a member's inbox.
password_reset_per_address = limiter.limit(_setting("PASSWORD_RESET_RATE_LIMIT"),
                                           methods=["POST"])
password_reset_per_account = limiter.limit(_setting("PASSWORD_RESET_ACCOUNT_RATE_LIMIT"),
                                           methods=["POST"], key_func=_per_account)
# Per member (under login_required, so someone is signed in); ideas and comments count once
# posted, so fixing a refused form costs nothing.
new_idea = limiter.limit(_setting("IDEA_RATE_LIMIT"), methods=["POST"], key_func=_per_member,
                         deduct_when=_posted)
vote = limiter.limit(_setting("VOTE_RATE_LIMIT"), key_func=_per_member)
# Visitors per address; members more loosely, per member.
visitor_comment = limiter.limit(_setting("COMMENT_RATE_LIMIT"), exempt_when=_is_member)
member_comment = limiter.limit(_setting("MEMBER_COMMENT_RATE_LIMIT"), key_func=_per_member,
                               exempt_when=_is_visitor, deduct_when=_posted)

# Reports to the caretaker: per member, or per address for visitors, once sent.
flag = limiter.limit(_setting("FLAG_RATE_LIMIT"), methods=["POST"], deduct_when=_posted,
                     key_func=lambda: _per_member() if _is_member() else get_remote_address())
# Notes to the caretaker: as visitors' comments, per client address, once sent.
newsletter = limiter.limit(_setting("NEWSLETTER_RATE_LIMIT"), methods=["POST"])
contact = limiter.limit(_setting("COMMENT_RATE_LIMIT"), methods=["POST"], deduct_when=_posted)
# A new confirmation link: per member, so no one fills their own inbox.
resend_verification = limiter.limit(_setting("VERIFY_RESEND_RATE_LIMIT"), key_func=_per_member)
# Changing the password or the address asks for the current password: failed tries count
# per member, as failed log-ins do per account.
password_check = limiter.limit(_setting("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"],
                               key_func=_per_member, deduct_when=_failed)
