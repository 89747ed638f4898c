"""The public chat schedule: upcoming and past chats, and a calendar feed of the upcoming
ones."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for

from ideaboard.inputs import int_arg
from ideaboard.pagecache import cached_page
from ideaboard.services import chats, settings

bp = Blueprint("chats", __name__)


@bp.get("/chats")
def index():
    return cached_page((request.full_path,), _render_index)


def _render_index() -> tuple[str, list[int]]:
    show = chats_to_show()
    page = chats.chats_page(show == "upcoming", int_arg("after"),
                            per_page=current_app.config["CHATS_PER_PAGE"])
    return render_template("chats/index.html", page=page, show=show), []


def chats_to_show() -> str:
    """?show=upcoming (the default) or ?show=past; 400 for anything else."""
    show = request.args.get("show") or "upcoming"
    if show not in ("upcoming", "past"):
        abort(400, "Show upcoming or past chats.")
    return show


@bp.get("/chats.ics")
def calendar():
    """Upcoming chats as iCalendar (RFC 5545), for people's calendars."""
    return cached_page((), _render_calendar, mimetype="text/calendar")


def _render_calendar() -> tuple[str, list[int]]:
    # Imported here: icalendar costs a worker 10 MB, and only this feed needs it.
    from icalendar import Calendar, Event

    hashtag = settings.current().chat_hashtag
    feed = Calendar()
    feed.add("prodid", "-//Ideaboard//#HITsm chats//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"{hashtag} chats")
    for chat in chats.upcoming():
        event = Event()
        event.add("uid", f"chat-{chat.id}@{request.host}")
        event.add("dtstamp", chat.created_at)
        event.add("dtstart", chat.starts_at)
        event.add("dtend", chat.starts_at + timedelta(minutes=chat.duration_minutes))
        event.add("summary", f"{hashtag} chat: {chat.title}")
        questions = "\n".join(f"T{q.position} {q.text}" for q in chat.questions)
        event.add("description", f"Hosted by {chat.host_name}.\n\n{questions}")
        event.add("url", url_for("chats.index", _external=True, _anchor=f"chat-{chat.id}"))
        feed.add_component(event)
    return feed.to_ical().decode(), []
