"""The caretaker's desk: the ranked table, statuses and official responses, moderation."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from ideaboard.board.views import load_page, parse_board_query
from ideaboard.caretaker.forms import (
    BulkStatusForm,
    LiftSuspensionForm,
    MergeForm,
    PlanChatForm,
    SettingsForm,
    StatusForm,
    SuspendForm,
)
from ideaboard.chats.views import chats_to_show
from ideaboard.extensions import db
from ideaboard.forms import require_button_form
from ideaboard.ideas.views import render_idea_page
from ideaboard.inputs import int_arg
from ideaboard.models import AuditKind, Chat, Comment, Idea, Message, Status, User, utcnow
from ideaboard.services import (
    audit,
    caretakers,
    chats,
    comments,
    export,
    flags,
    ideas,
    inbox,
    members,
    merging,
    newsletter,
    nominations,
    outbox,
    settings,
)
from ideaboard.services.categories import all_categories
from ideaboard.services.ranking import (
    Sort,
    hidden_ideas,
    needs_response_page,
    recent_vote_counts,
)
from ideaboard.templating import idea_url

bp = Blueprint("caretaker", __name__, url_prefix="/caretaker")


@bp.before_request
@login_required
def only_the_caretaker():
    if not current_user.is_caretaker:
        abort(403)


NEEDS_RESPONSE = "needs-response"
HOSTS_WHEN_PLANNING = 10  # of each kind beside the form; the hosts page has them all


@bp.get("")
def dashboard():
    return _render_dashboard(BulkStatusForm(formdata=None))


def _render_dashboard(bulk_form: BulkStatusForm, code: int = 200):
    """The ranked table (or the ideas waiting for a response), with the bulk status form."""
    query = parse_board_query()
    view = request.args.get("view") or None
    if view not in (None, NEEDS_RESPONSE):
        abort(400, "Unknown view.")
    if view == NEEDS_RESPONSE:
        page = needs_response_page(query.filters, current_app.config["IDEAS_PER_PAGE"],
                                   query.after)
    else:
        page = load_page(query)
    html = render_template(
        "caretaker/dashboard.html",
        page=page,
        query=query,
        view=view,
        sorts=list(Sort),
        categories=all_categories(),
        recent_votes=recent_vote_counts([idea.id for idea in page.ideas]),
        hidden=hidden_ideas(),
        bulk_form=bulk_form,
        back=_dashboard_args(),
    )
    return html, code


@bp.post("/ideas/status")
def bulk_status():
    """The status (and response) for every idea ticked in the table, all or none."""
    form = BulkStatusForm()
    if not form.validate_on_submit():
        return _render_dashboard(form, code=400)
    status = Status(form.status.data)
    changed = ideas.respond_to_many(form.ideas.data, status, form.response.data or None,
                                    current_user)
    db.session.commit()
    flash(f"{changed} idea{'' if changed == 1 else 's'} set to “{status.label}”.", "success")
    return redirect(url_for("caretaker.dashboard", **_dashboard_args()))


def _dashboard_args() -> dict[str, str]:
    """The table's view, order, filters and page, to come back to after an action."""
    names = ("view", "sort", "category", "status", "after")
    return {name: request.args[name] for name in names if request.args.get(name)}


@bp.post("/ideas/<int:idea_id>/status")
def update_status(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = StatusForm()
    if form.validate_on_submit():
        ideas.respond(idea, Status(form.status.data), form.response.data or "", current_user)
        db.session.commit()
        flash(f"Status set to “{idea.status.label}”.", "success")
        return redirect(idea_url(idea))
    return render_idea_page(idea, status_form=form, code=400)


@bp.post("/ideas/<int:idea_id>/merge")
def merge_idea(idea_id: int):
    """Merge this idea into the one the form names."""
    idea = db.get_or_404(Idea, idea_id)
    form = MergeForm()
    if form.validate_on_submit():
        target = db.session.get(Idea, form.target.data)
        if target is None:
            form.target.errors.append("No idea has that number.")
        else:
            try:
                merging.merge(idea, target, current_user)
            except merging.MergeRefused as refused:
                db.session.rollback()
                form.target.errors.append(str(refused))
            else:
                db.session.commit()
                flash(f"“{idea.title}” is merged into this idea.", "success")
                return redirect(idea_url(target))
    return render_idea_page(db.session.get(Idea, idea_id), merge_form=form, code=400)


@bp.post("/ideas/<int:idea_id>/unmerge")
def unmerge_idea(idea_id: int):
    require_button_form()
    idea = db.get_or_404(Idea, idea_id)
    try:
        merging.undo(idea, current_user)
    except merging.MergeRefused as refused:
        abort(409, str(refused))
    db.session.commit()
    flash("The merge is undone: the idea has its votes and comments back.", "success")
    return redirect(idea_url(idea))


@bp.get("/log")
def log():
    """Every caretaker action, newest first, by kind; read-only."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in set(AuditKind):
        abort(400, "Unknown kind of action.")
    kind = AuditKind(kind) if kind else None
    page = audit.log_page(kind, int_arg("before"))
    return render_template("caretaker/log.html", page=page, kind=kind, kinds=list(AuditKind))


@bp.post("/ideas/<int:idea_id>/hide")
def hide_idea(idea_id: int):
    return _set_idea_hidden(idea_id, True)


@bp.post("/ideas/<int:idea_id>/restore")
def restore_idea(idea_id: int):
    return _set_idea_hidden(idea_id, False)


def _set_idea_hidden(idea_id: int, hidden: bool):
    require_button_form()
    idea = db.get_or_404(Idea, idea_id)
    try:
        ideas.set_idea_hidden(idea, hidden, current_user)
    except ideas.StaysHidden as refused:
        abort(409, str(refused))
    db.session.commit()
    flash("The idea is hidden from the board." if hidden else "The idea is back on the board.",
          "info")
    if request.form.get("from") == "queue":
        return redirect(url_for("caretaker.queue"))
    return redirect(idea_url(idea))


@bp.post("/comments/<int:comment_id>/hide")
def hide_comment(comment_id: int):
    return _set_comment_hidden(comment_id, True)


@bp.post("/comments/<int:comment_id>/restore")
def restore_comment(comment_id: int):
    return _set_comment_hidden(comment_id, False)


def _set_comment_hidden(comment_id: int, hidden: bool):
    require_button_form()
    comment = db.get_or_404(Comment, comment_id)
    comments.set_comment_hidden(comment, hidden, current_user)
    db.session.commit()
    flash("The comment is hidden." if hidden else "The comment is restored.", "info")
    return _back_to_queue_or(comment.idea_id, comment.id)


@bp.post("/comments/<int:comment_id>/approve")
def approve_comment(comment_id: int):
    require_button_form()
    comment = db.get_or_404(Comment, comment_id)
    comments.approve(comment, current_user)
    db.session.commit()
    flash("The comment is approved and shown.", "success")
    return _back_to_queue_or(comment.idea_id, comment.id)


@bp.post("/comments/<int:comment_id>/delete")
def delete_comment(comment_id: int):
    require_button_form()
    comment = db.get_or_404(Comment, comment_id)
    idea_id = comment.idea_id
    comments.delete_as_spam(comment, current_user)
    db.session.commit()
    flash("The comment is deleted as spam.", "info")
    return _back_to_queue_or(idea_id)


@bp.post("/ideas/<int:idea_id>/flags/dismiss")
def dismiss_idea_flags(idea_id: int):
    require_button_form()
    db.get_or_404(Idea, idea_id)
    flags.dismiss(current_user, idea_id=idea_id)
    db.session.commit()
    flash("The flags are dismissed; the idea stays.", "info")
    return redirect(url_for("caretaker.queue"))


@bp.post("/comments/<int:comment_id>/flags/dismiss")
def dismiss_comment_flags(comment_id: int):
    require_button_form()
    db.get_or_404(Comment, comment_id)
    flags.dismiss(current_user, comment_id=comment_id)
    db.session.commit()
    flash("The flags are dismissed; the comment stays.", "info")
    return redirect(url_for("caretaker.queue"))


def _back_to_queue_or(idea_id: int, comment_id: int | None = None):
    """To the queue when the action came from there, else to the comment's idea."""
    if request.form.get("from") == "queue":
        return redirect(url_for("caretaker.queue"))
    if comment_id is not None:
        return redirect(url_for("ideas.comment_link", comment_id=comment_id))
    return redirect(idea_url(db.session.get(Idea, idea_id), _anchor="comments-heading"))


@bp.get("/queue")
def queue():
    """Visitors' comments waiting for approval, and what people flagged."""
    waiting = comments.waiting(int_arg("waiting_after"))
    flagged = flags.open_flags(int_arg("flagged_after"))
    idea_ids = ({c.idea_id for c in waiting.items}
                | {f.comment.idea_id for f in flagged.items if f.comment})
    return render_template("caretaker/queue.html", waiting=waiting, flagged=flagged,
                           waiting_count=comments.waiting_count(),
                           flagged_count=flags.flagged_count(),
                           ideas_by_id=ideas.by_ids(idea_ids),
                           reasons={reason.value: reason.label for reason in flags.Reason})


@bp.get("/members")
def member_list():
    search = (request.args.get("q") or "").strip()[:100] or None
    page = members.members_page(search, int_arg("before"))
    invited = caretakers.pending_among([m.id for m in page.items])
    return render_template("caretaker/members.html", page=page, search=search,
                           invited=invited)


@bp.post("/members/<int:user_id>/suspend")
def suspend_member(user_id: int):
    member = db.get_or_404(User, user_id)
    form = SuspendForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ideas_hidden, comments_hidden = members.suspend(member, form.hide_content.data,
                                                        current_user)
    except members.NotSuspendable:
        abort(409, "A caretaker cannot be suspended: they must step down to member first.")
    db.session.commit()
    hidden = (f" {ideas_hidden} ideas and {comments_hidden} comments are hidden."
              if form.hide_content.data else "")
    flash(f"{member.display_name} is suspended.{hidden}", "info")
    return redirect(url_for("caretaker.member_list", q=request.args.get("q") or None))


@bp.post("/members/<int:user_id>/lift")
def lift_suspension(user_id: int):
    member = db.get_or_404(User, user_id)
    form = LiftSuspensionForm()
    if not form.validate_on_submit():
        abort(400)
    members.lift_suspension(member, form.restore_content.data, current_user)
    db.session.commit()
    flash(f"{member.display_name} can take part again.", "success")
    return redirect(url_for("caretaker.member_list", q=request.args.get("q") or None))


@bp.route("/settings", methods=["GET", "POST"])
def board_settings():
    current = settings.current()
    form = SettingsForm(visitor_comments=current.visitor_comments.value,
                        chat_hashtag=current.chat_hashtag, post_limit=current.post_limit,
                        posting_needs_confirmed_email=current.posting_needs_confirmed_email)
    if form.validate_on_submit():
        settings.change(current_user,
                        visitor_comments=settings.VisitorComments(form.visitor_comments.data),
                        chat_hashtag=form.chat_hashtag.data, post_limit=form.post_limit.data,
                        posting_needs_confirmed_email=form.posting_needs_confirmed_email.data)
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("caretaker.board_settings"))
    return render_template("caretaker/settings.html", form=form), 400 if form.errors else 200


@bp.get("/chats")
def chat_list():
    show = chats_to_show()
    page = chats.chats_page(show == "upcoming", int_arg("after"),
                            per_page=current_app.config["CHATS_PER_PAGE"])
    return render_template("caretaker/chats.html", page=page, show=show)


@bp.route("/chats/new", methods=["GET", "POST"])
def plan_chat():
    """A chat from one or more ideas about a topic or a host; they move to Planned."""
    form = PlanChatForm()
    candidates = chats.candidate_ideas()
    if request.method == "GET":  # "Make host" beside a nominee or a volunteer fills these
        form.host.data = request.args.get("host") or None
        form.ideas.data = [idea] if (idea := int_arg("idea")) else []
    if form.validate_on_submit():
        chat = _plan_from(form)
        if chat is not None:
            db.session.commit()
            flash("The chat is planned; its ideas are marked Planned.", "success")
            return redirect(url_for("caretaker.chat", chat_id=chat.id))
    code = 400 if form.errors or form.form_errors else 200
    return render_template("caretaker/plan_chat.html", form=form, candidates=candidates,
                           nominees=nominations.proposed_hosts(per_page=HOSTS_WHEN_PLANNING),
                           volunteers=nominations.host_offers(per_page=HOSTS_WHEN_PLANNING),
                           ), code


@bp.get("/hosts")
def hosts():
    """Every nominee a chat may have as host (?show=nominees), or every member who offered
    (the default), a page at a time."""
    show = request.args.get("show") or "offers"
    if show not in ("offers", "nominees"):
        abort(400, "Show offers or nominees.")
    pages = {"offers": nominations.host_offers, "nominees": nominations.proposed_hosts}
    return render_template("caretaker/hosts.html", show=show,
                           page=pages[show](int_arg("after")))


def _plan_from(form: PlanChatForm):
    """The planned chat, or None with the form's errors set."""
    try:
        host_id, handle = chats.resolve_host(form.host.data)
    except chats.ChatRefused as refused:
        form.host.errors.append(str(refused))
        return None
    try:
        return chats.plan_chat(
            current_user, title=form.title.data,
            starts_at=chats.in_utc(form.starts_at.data, form.time_zone.data),
            time_zone=form.time_zone.data, host_id=host_id, host_handle=handle,
            questions=form.questions, idea_ids=form.ideas.data)
    except chats.ChatRefused as refused:
        db.session.rollback()
        form.form_errors.append(str(refused))
        return None


@bp.get("/chats/<int:chat_id>")
def chat(chat_id: int):
    """The chat as the caretaker runs it: its questions ready to post, the limit checked."""
    found = db.get_or_404(Chat, chat_id)
    board = settings.current()
    return render_template("caretaker/chat.html", chat=found,
                           posts=chats.posts(found, board.chat_hashtag, board.post_limit))


@bp.post("/chats/<int:chat_id>/done")
def chat_done(chat_id: int):
    require_button_form()
    found = db.get_or_404(Chat, chat_id)
    done = chats.mark_done(found, current_user)
    db.session.commit()
    flash(f"The chat is marked held; {done} idea{'' if done == 1 else 's'} marked Done.",
          "success")
    return redirect(url_for("caretaker.chat", chat_id=chat_id))


@bp.get("/inbox")
def inbox_list():
    archived = request.args.get("view") == "archive"
    page = inbox.inbox(archived, int_arg("before"))
    return render_template("caretaker/inbox.html", page=page, archived=archived,
                           unread=inbox.unread_count())


@bp.get("/inbox/<int:message_id>")
def message(message_id: int):
    """One note, marked read as the caretaker opens it."""
    found = db.get_or_404(Message, message_id)
    if found.read_at is None:
        inbox.mark_read(found)
        db.session.commit()
    return render_template("caretaker/message.html", message=found)


@bp.post("/inbox/<int:message_id>/unread")
def mark_unread(message_id: int):
    return _file_message(message_id, lambda m: inbox.mark_read(m, False), "Marked unread.")


@bp.post("/inbox/<int:message_id>/archive")
def archive_message(message_id: int):
    return _file_message(message_id, inbox.archive, "Archived.")


@bp.post("/inbox/<int:message_id>/unarchive")
def unarchive_message(message_id: int):
    return _file_message(message_id, lambda m: inbox.archive(m, False), "Back in the inbox.")


def _file_message(message_id: int, change, said: str):
    require_button_form()
    change(db.get_or_404(Message, message_id))
    db.session.commit()
    flash(said, "info")
    return redirect(url_for("caretaker.inbox_list"))


@bp.get("/mail")
def mail():
    """Mail that could not be sent, with the server's last answer, and how much waits."""
    return render_template("caretaker/mail.html", failed=outbox.failed_messages(),
                           pending=outbox.pending_count(), subscribers=newsletter.counts())


@bp.post("/mail/<int:message_id>/retry")
def retry_mail(message_id: int):
    require_button_form()
    if not outbox.retry_failed(message_id):
        abort(404)
    db.session.commit()
    flash("Queued again: the worker sends it within a few seconds.", "info")
    return redirect(url_for("caretaker.mail"))


@bp.get("/export/ideas.csv")
def export_ideas():
    return _csv_download("ideas", export.idea_rows())


@bp.get("/export/votes.csv")
def export_votes():
    return _csv_download("votes", export.vote_rows())


def _csv_download(name: str, rows):
    """Streamed, so a large board is never held in memory."""
    response = Response(stream_with_context(export.as_csv(rows)), mimetype="text/csv")
    day = utcnow().strftime("%Y-%m-%d")
    response.headers["Content-Disposition"] = f'attachment; filename="ideaboard-{name}-{day}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/members/<int:user_id>/invite")
def invite_caretaker(user_id: int):
    """Ask a member to become caretaker too; they answer from their account page."""
    require_button_form()
    member = db.get_or_404(User, user_id)
    try:
        caretakers.invite(current_user, member)
    except caretakers.BatonRefused as refused:
        abort(409, str(refused))
    db.session.commit()
    flash(f"{member.display_name} is invited; they answer from their account page.", "success")
    return redirect(url_for("caretaker.member_list", q=request.args.get("q") or None))
