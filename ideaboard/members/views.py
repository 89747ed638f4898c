"""Members' public profiles (their ideas and comments), and "My ideas" and "My votes" for
the member signed in."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template
from flask_login import current_user, login_required

from ideaboard.extensions import db
from ideaboard.inputs import int_arg
from ideaboard.models import User
from ideaboard.pagecache import cached_page
from ideaboard.services import profiles, votes

bp = Blueprint("members", __name__)


def _member_or_404(user_id: int) -> User:
    """The member, unless there is none, or only the emptied row of a deleted account."""
    member = db.get_or_404(User, user_id)
    if member.is_deleted:
        abort(404)
    return member


@bp.get("/members/<int:user_id>")
def profile(user_id: int):
    """Who they are and the ideas they posted, newest first; the same for everyone, so
    cached as the board's pages are."""
    after = int_arg("after")
    return cached_page(("profile", user_id, after), lambda: _render_profile(user_id, after))


def _render_profile(user_id: int, after: int | None) -> tuple[str, list[int]]:
    member = _member_or_404(user_id)
    page = profiles.public_ideas(member.id, after)
    return (render_template("members/profile.html", member=member, page=page),
            [idea.id for idea in page.items])


@bp.get("/members/<int:user_id>/comments")
def comments(user_id: int):
    """What they said, newest first, each with the idea it was said on."""
    after = int_arg("after")
    return cached_page(("profile comments", user_id, after),
                       lambda: _render_comments(user_id, after), shows_threads=True)


def _render_comments(user_id: int, after: int | None) -> tuple[str, list[int]]:
    member = _member_or_404(user_id)
    page, ideas = profiles.public_comments(member.id, after)
    return (render_template("members/comments.html", member=member, page=page, ideas=ideas),
            list(ideas))


@bp.get("/account/ideas")
@login_required
def my_ideas():
    page = profiles.own_ideas(current_user.id, int_arg("after"))
    g.member_view = votes.member_view(current_user.id, [idea.id for idea in page.items])
    return render_template("members/my_ideas.html", page=page)


@bp.get("/account/votes")
@login_required
def my_votes():
    page = profiles.voted_ideas(current_user.id, int_arg("after"))
    g.member_view = votes.member_view(current_user.id, [idea.id for idea in page.items])
    return render_template("members/my_votes.html", page=page)
