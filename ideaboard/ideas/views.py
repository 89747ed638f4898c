"""An idea's page and what people do there: post, edit, withdraw, vote, comment."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from ideaboard import ratelimits
from ideaboard.auth.access import (
    SUSPENDED,
    active_member_required,
    is_caretaker,
    local_path,
    refuse_if_suspended,
    refuse_if_unconfirmed,
)
from ideaboard.caretaker.forms import MergeForm, StatusForm
from ideaboard.extensions import db
from ideaboard.forms import ButtonForm, require_button_form
from ideaboard.ideas.forms import (
    EditCommentForm,
    EditIdeaForm,
    FlagForm,
    GuestCommentForm,
    IdeaForm,
    MemberCommentForm,
)
from ideaboard.inputs import int_arg
from ideaboard.models import Comment, Idea
from ideaboard.negotiation import wants_json
from ideaboard.pagecache import cached_page
from ideaboard.services import (
    chats,
    comments,
    flags,
    follows,
    health_data,
    ideas,
    merging,
    nominations,
    settings,
    votes,
)
from ideaboard.services.categories import all_categories, slugify
from ideaboard.services.ranking import RANK_SHOWN, explain_rank
from ideaboard.templating import idea_url

bp = Blueprint("ideas", __name__, url_prefix="/ideas")


def get_idea_or_404(idea_id: int) -> Idea:
    """The idea (its author and category in the same query) if it may be seen, else 404."""
    idea = db.get_or_404(Idea, idea_id,
                         options=[joinedload(Idea.author), joinedload(Idea.category)])
    if not ideas.can_view(current_user, idea):
        abort(404)
    return idea


def get_own_idea(idea_id: int) -> Idea:
    """The idea if the current member wrote it: 404 if not visible, 403 if someone else's."""
    idea = get_idea_or_404(idea_id)
    if not ideas.can_edit(current_user, idea):
        abort(403)
    return idea


def _with_categories(form: IdeaForm) -> IdeaForm:
    form.category.choices = [SelectChoice(c.id, c.name) for c in all_categories()]
    return form


def _comment_form(**kwargs) -> MemberCommentForm | GuestCommentForm:
    return (MemberCommentForm if current_user.is_authenticated else GuestCommentForm)(**kwargs)


def _comment_forms(comment_form, reply_to: int | None):
    """The form at the end of the thread, and the reply form (or None) to show under the
    comment `reply_to`: a submitted form goes back where it was filled in."""
    if comment_form is not None and comment_form.parent_id is not None:
        return _comment_form(formdata=None), _as_reply_form(comment_form)
    reply_form = None
    if reply_to:
        reply_form = _as_reply_form(_comment_form(formdata=None, reply_to=str(reply_to)))
    return comment_form or _comment_form(), reply_form


def _as_reply_form(form):
    """Its fields' ids made its own, so that it and the thread's form can share a page."""
    for f in form:
        f.id = f.label.field_id = f"reply-{f.name}"
    return form


def render_idea_page(idea: Idea, comment_form=None, status_form=None, merge_form=None,
                     code: int = 200, comments_after: int | None = None,
                     reply_to: int | None = None):
    caretaker = is_caretaker()
    if caretaker:
        status_form = status_form or StatusForm(status=idea.status.value,
                                                response=idea.official_response)
        merge_form = merge_form or MergeForm(formdata=None)
    if current_user.is_authenticated:
        g.member_view = votes.member_view(current_user.id, [idea.id], follows=True)
    thread = comments.thread(idea.id, include_hidden=caretaker, after=comments_after)
    comment_form, reply_form = _comment_forms(comment_form, reply_to)
    page = render_template(
        "ideas/show.html",
        idea=idea,
        thread=thread,
        history=ideas.status_history(idea.id),
        ranking=explain_rank(idea) if idea.is_public and not idea.awaiting_consent else None,
        nomination=(nominations.of_idea(idea.id)
                    if idea.category.slug == nominations.HOST_CATEGORY else None),
        idea_chats=chats.chats_of_idea(idea.id) if idea.status in chats.CHAT_STATUSES else [],
        merged_here=merging.merged_into(idea.id),
        merged_into=db.session.get(Idea, idea.merged_into_id) if idea.merged_into_id else None,
        origins=ideas.by_ids({c.merged_from_id for c in thread.items} - {None}),
        visitor_comments=settings.current().visitor_comments,
        hashtag=settings.current().chat_hashtag,
        confirm_first_to_post=settings.current().posting_needs_confirmed_email,
        comment_form=comment_form,
        reply_form=reply_form,
        reply_to=reply_form.parent_id if reply_form else None,
        comments_after=comments_after,
        status_form=status_form,
        merge_form=merge_form,
        rank_shown=RANK_SHOWN,
    )
    return page, code


@bp.get("/<int:idea_id>")
@bp.get("/<int:idea_id>-<slug>")
def show(idea_id: int, slug: str | None = None):
    after, reply_to = int_arg("comments_after"), int_arg("reply_to")
    if is_caretaker():  # sees hidden comments and the caretaker's panel
        return render_idea_page(_canonical_idea(idea_id, slug), comments_after=after,
                                reply_to=reply_to)
    # Visitors share one cached rendering, members another (their name, vote and, for the
    # author, the edit buttons are filled in per request): while the board is unchanged,
    # the idea's visibility and slug are too, so the lookup is skipped as well.
    return cached_page((idea_id, slug, after, reply_to),
                       lambda: _render_shared(idea_id, slug, after, reply_to),
                       shows_threads=True)


def _canonical_idea(idea_id: int, slug: str | None) -> Idea:
    """The idea, if it may be seen; a 301 to its canonical URL if the slug is not its own,
    a 302 to the idea it is merged into for all but the caretaker."""
    idea = db.get_or_404(Idea, idea_id,
                         options=[joinedload(Idea.author), joinedload(Idea.category)])
    if idea.merged_into_id is not None and not is_caretaker():
        target = db.session.get(Idea, idea.merged_into_id)
        abort(redirect(idea_url(target, _anchor=f"merged-{idea.id}"), code=302))
    if not ideas.can_view(current_user, idea):
        abort(404)
    canonical = slugify(idea.title)
    if slug != canonical and canonical:
        abort(redirect(idea_url(idea, comments_after=int_arg("comments_after"),
                                reply_to=int_arg("reply_to")), code=301))
    return idea


def _render_shared(idea_id: int, slug: str | None, comments_after: int | None,
                   reply_to: int | None) -> tuple[str, list[int]]:
    page, _code = render_idea_page(_canonical_idea(idea_id, slug), comments_after=comments_after,
                                   reply_to=reply_to)
    return page, [idea_id]


@bp.get("/comments/<int:comment_id>")
def comment_link(comment_id: int):
    """A comment's lasting address: to its idea's page, on the page of the thread that
    holds it."""
    comment = db.get_or_404(Comment, comment_id)
    idea = get_idea_or_404(comment.idea_id)
    if comment.hidden_at is not None and not is_caretaker():
        abort(404)
    return redirect(comment_url(idea, comment))


def comment_url(idea: Idea, comment: Comment) -> str:
    """The idea's page showing `comment`, scrolled to it."""
    return idea_url(idea, comments_after=comments.page_of(comment, include_hidden=is_caretaker()),
                    _anchor=f"comment-{comment.id}")


POSTED = "Your idea is on the board. Share it so others can vote!"
POSTED_ASKING = ("Your idea is on the board. We emailed the person you propose to ask whether "
                 "they agree; its votes show once they do.")


@bp.route("/new", methods=["GET", "POST"])
@active_member_required
@ratelimits.new_idea
def new():
    refuse_if_unconfirmed()
    form = _with_categories(IdeaForm())
    if form.validate_on_submit():
        idea = ideas.create_idea(current_user, form.title.data, form.description.data,
                                 form.category.data)
        health_data.flag_confirmed(form.health_findings, idea=idea)
        if form.nominee_name.data:
            nominations.nominate(idea, form.nominee_name.data, form.nominee_handle.data,
                                 form.nominee_email.data)
        db.session.commit()
        flash(POSTED_ASKING if idea.awaiting_consent else POSTED, "success")
        return redirect(idea_url(idea))
    return render_template("ideas/new.html", form=form), 400 if form.errors else 200


@bp.route("/<int:idea_id>/edit", methods=["GET", "POST"])
@active_member_required
def edit(idea_id: int):
    idea = get_own_idea(idea_id)
    form = _with_categories(EditIdeaForm(obj=idea, category=idea.category_id))
    if form.validate_on_submit():
        ideas.edit_idea(idea, form.title.data, form.description.data, form.category.data)
        health_data.flag_confirmed(form.health_findings, idea=idea)
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(idea_url(idea))
    return render_template("ideas/edit.html", form=form, idea=idea), 400 if form.errors else 200


@bp.post("/<int:idea_id>/withdraw")
@login_required
def withdraw(idea_id: int):
    idea = get_own_idea(idea_id)
    require_button_form()
    ideas.withdraw_idea(idea)
    db.session.commit()
    flash("Your idea is withdrawn from the board.", "info")
    return redirect(url_for("board.index"))


@bp.post("/<int:idea_id>/vote")
@login_required
@ratelimits.vote
def vote(idea_id: int):
    # The busiest write: its one field is read directly. The CSRF token was already
    # checked for this POST by CSRFProtect, so a form object would only check it again.
    if current_user.is_suspended:
        abort(403, SUSPENDED)
    intent = request.form.get("intent")
    if intent not in ("vote", "unvote"):
        abort(400)
    try:
        state = votes.set_vote(current_user.id, idea_id, intent == "vote")
    except votes.NotOnTheBoard:
        abort(404)
    if wants_json():
        return {"voted": state.voted, "vote_count": state.vote_count}
    return redirect(local_path(request.form.get("next")) or url_for("ideas.show", idea_id=idea_id))


@bp.post("/<int:idea_id>/follow")
@login_required
def follow(idea_id: int):
    """Follow or unfollow the idea (suspended members too: it only changes their mail)."""
    intent = request.form.get("intent")
    if intent not in ("follow", "unfollow"):
        abort(400)
    idea = get_idea_or_404(idea_id)
    if intent == "follow":
        if not idea.is_public:
            abort(404)
        follows.follow(current_user.id, idea.id)
        message = "You follow this idea: you will hear of it as your notification settings say."
    else:
        follows.unfollow(current_user.id, idea.id)
        message = "You no longer follow this idea."
    db.session.commit()
    flash(message, "success")
    return redirect(idea_url(idea, _anchor="follow"))


@bp.post("/<int:idea_id>/comments")
@ratelimits.visitor_comment
@ratelimits.member_comment
def comment(idea_id: int):
    refuse_if_suspended()
    refuse_if_unconfirmed()
    idea = get_idea_or_404(idea_id)
    mode = settings.current().visitor_comments
    if not current_user.is_authenticated and mode is settings.VisitorComments.OFF:
        abort(403, "Only members can comment on this board: please log in or sign up.")
    form = _comment_form()
    if not form.validate_on_submit():
        return _refused_comment(idea, form)
    if isinstance(form, GuestCommentForm) and form.looks_automated:
        form.form_errors.append("Your comment could not be accepted. "
                                "Please leave the last field empty.")
        return _refused_comment(idea, form)
    try:
        parent = (comments.reply_target(idea.id, form.parent_id)
                  if form.parent_id is not None else None)
    except comments.NotAllowed as refusal:
        form.reply_to.data = ""  # shown as a new comment, the thread it answered being gone
        form.form_errors.append(str(refusal))
        return render_idea_page(idea, comment_form=form, code=400)
    if isinstance(form, MemberCommentForm):
        new_comment = comments.add_member_comment(idea, current_user, form.body.data, parent)
    else:
        held = mode is settings.VisitorComments.MODERATED
        new_comment = comments.add_guest_comment(idea, form.name.data, form.email.data,
                                                 form.body.data, held=held, parent=parent,
                                                 email_replies=form.email_replies.data)
    health_data.flag_confirmed(form.health_findings, comment=new_comment)
    db.session.commit()
    if new_comment.held_at is not None:
        flash("Thank you! Your comment will appear once the caretaker has approved it.",
              "success")
        return redirect(idea_url(idea, _anchor="comments-heading"))
    flash("Thank you, your comment is posted.", "success")
    return redirect(comment_url(idea, new_comment))


def _refused_comment(idea: Idea, form):
    """The page again, the form where it was filled in, with what was wrong: a reply under
    its comment, on the page of the thread that shows it."""
    after = None
    if form.parent_id is not None:
        target = db.session.get(Comment, form.parent_id)
        if target is None or target.idea_id != idea.id:
            form.reply_to.data = ""
        else:  # the form goes under the thread's first comment, as its "Reply" shows it
            form.reply_to.data = str(target.parent_id or target.id)
            after = comments.page_of(target, include_hidden=is_caretaker())
    return render_idea_page(idea, comment_form=form, code=400, comments_after=after)


def get_own_comment(comment_id: int) -> tuple[Comment, Idea]:
    """The current member's comment, still on show, and its idea: 404 if it is not on
    show, 403 if someone else wrote it."""
    comment = db.get_or_404(Comment, comment_id)
    idea = get_idea_or_404(comment.idea_id)
    if comment.hidden_at is not None:
        abort(404)
    if comment.author_id != current_user.id:
        abort(403)
    return comment, idea


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@active_member_required
def edit_comment(comment_id: int):
    comment, idea = get_own_comment(comment_id)
    back = comment_url(idea, comment)
    form = EditCommentForm(obj=comment)
    try:
        if not comments.can_edit(current_user, comment):
            raise comments.NotAllowed(comments.EDIT_CLOSED)
        if form.validate_on_submit():
            comments.edit_comment(current_user, comment, form.body.data)
            health_data.flag_confirmed(form.health_findings, comment=comment)
            db.session.commit()
            flash("Your comment is updated.", "success")
            return redirect(back)
    except comments.NotAllowed as refusal:  # the 15 minutes ran out, maybe while typing
        flash(str(refusal), "warning")
        return redirect(back)
    page = render_template("ideas/edit_comment.html", form=form, idea=idea, back=back)
    return page, 400 if form.errors else 200


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id: int):
    comment, idea = get_own_comment(comment_id)
    form = ButtonForm()
    if form.validate_on_submit():
        comments.delete_own(current_user, comment)
        db.session.commit()
        flash("Your comment is deleted.", "info")
        return redirect(idea_url(idea, _anchor="comments-heading"))
    return render_template("ideas/delete_comment.html", form=form, idea=idea, comment=comment,
                           has_replies=comments.has_replies(comment.id),
                           back=comment_url(idea, comment))


@bp.route("/<int:idea_id>/flag", methods=["GET", "POST"])
@ratelimits.flag
def flag_idea(idea_id: int):
    refuse_if_suspended()
    idea = get_idea_or_404(idea_id)
    if not idea.is_public:
        abort(404)
    return _flag(idea, None, idea_url(idea))


@bp.route("/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@ratelimits.flag
def flag_comment(comment_id: int):
    refuse_if_suspended()
    comment = db.get_or_404(Comment, comment_id)
    idea = get_idea_or_404(comment.idea_id)
    if comment.hidden_at is not None or not idea.is_public:
        abort(404)
    return _flag(idea, comment, comment_url(idea, comment))


def _flag(idea: Idea, comment: Comment | None, back: str):
    """Ask why, then put the report in the caretaker's queue."""
    form = FlagForm()
    if form.validate_on_submit():
        flags.flag(current_user, flags.Reason(form.reason.data), form.details.data,
                   idea=None if comment else idea, comment=comment)
        db.session.commit()
        flash("Thank you: the caretaker will have a look.", "success")
        return redirect(back)
    page = render_template("ideas/flag.html", form=form, idea=idea, comment=comment,
                           back=back)
    return page, 400 if form.errors else 200
