"""A believable, reproducible demo board: members, ideas, votes, comments and answers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Comment,
    Idea,
    OutboxMessage,
    Review,
    ReviewEntry,
    Role,
    Status,
    Subscriber,
    User,
    Vote,
    WebhookDelivery,
    WebhookFormat,
    utcnow,
)
from ideaboard.services import (
    chats,
    flags,
    health_data,
    inbox,
    merging,
    nominations,
    reviews,
    settings,
    webhooks,
)
from ideaboard.services import comments as comment_service
from ideaboard.services.accounts import create_user, find_by_email
from ideaboard.services.categories import DEFAULT_CATEGORIES, all_categories
from ideaboard.services.ideas import create_idea, respond
from ideaboard.services.maintenance import recompute_trending
from ideaboard.services.ranking import public_filter, trending_now, trending_weight
from ideaboard.services.votes import cast_vote

CHAT, TOPIC, HOST, EVENTS, OTHER = DEFAULT_CATEGORIES
MEMBER_PASSWORD, CARETAKER_PASSWORD = "member-demo", "caretaker-demo"
CARETAKER = ("caretaker", "HITsm Caretaker")
MAX_AGE_DAYS, MEMBER_COMMENTS, GUEST_COMMENTS = 270.0, 38, 22
REPLY_SHARE = 0.3  # of comments, those answering an earlier one on the same idea

MEMBERS = (
    ("ana", "Ana Ruiz, RN"), ("marcus", "Marcus Bell, CMIO"),
    ("priya", "Priya Nair, nurse informaticist"), ("tom", "Tom Okafor, patient advocate"),
    ("lena", "Lena Fischer, HIM director"), ("dev", "Dev Patel, FHIR developer"),
    ("grace", "Grace Liu, clinical analyst"), ("sam", "Sam Carter, rural hospital CIO"),
    ("rosa", "Rosa Alvarez, care coordinator"), ("jamal", "Jamal Greene, e-patient"),
    ("helen", "Dr Helen Ward, family physician"), ("kofi", "Kofi Mensah, health data scientist"),
)
GUESTS = (
    ("Maria, family caregiver", "maria@example.net"), ("Student nurse Jo", None),
    ("Lurker from Leeds", None), ("Chris, EHR trainer", "chris@example.net"),
    ("Pat", None), ("Nadia, MPH student", "nadia@example.net"),
)
SPAM = ("SEO Guru", "deals@example.com", "Great post!!! Get **10k followers** at https://example.org/deals")


@dataclass(frozen=True)
class DemoIdea:
    """One demo idea; a `status` makes the caretaker answer it with `response`."""

    category: str
    title: str
    body: str
    status: Status | None = None
    response: str = ""


IDEAS = (
    DemoIdea(CHAT, "Monthly AMA with a guest instead of the usual four questions",
             "Once a month, swap Q1-Q4 for an **ask-me-anything** hour with a guest.\n\n"
             "- questions collected on this board the week before\n- the host picks the best"
             "\n- a short recap afterwards", Status.PLANNED,
             "We love this. The first AMA is pencilled in for next month; guests welcome!"),
    DemoIdea(CHAT, "A slower 2-hour async thread for other time zones",
             "The live hour is 3am for some of us. Could we keep a **slow thread** open for "
             "two hours after the chat so people in Europe and Asia can join in?",
             Status.IN_PROGRESS, "Trying it for the next four chats. Tell us how it goes."),
    DemoIdea(CHAT, "Cross-post the questions to Mastodon and Bluesky",
             "A lot of the community has moved. Post each question on **Mastodon and Bluesky** "
             "too, with the same #HITsm tag, so nobody has to pick a network.",
             Status.DONE, "Done: every question now goes out on all three networks."),
    DemoIdea(CHAT, "Post the four questions the day before",
             "Thoughtful answers take time. Publishing the questions a day early would help "
             "people who type slowly, or who want to check a fact first.",
             Status.DONE, "Questions now go up on the [chat page](https://example.org/hitsm) "
             "24 hours ahead."),
    DemoIdea(CHAT, "Move the chat to a video call",
             "Typing is slow; a video call would let us actually talk.", Status.DECLINED,
             "Thanks for the idea. The **written, public** format is what lets anyone drop in, "
             "read later and quote answers, so we are keeping it. Watch for the AMA instead!"),
    DemoIdea(CHAT, "Publish a recap with the best answers",
             "A short weekly post with the **five best answers** and links to the threads."),
    DemoIdea(CHAT, "A two-minute welcome for first-timers",
             "Start each chat by explaining how to follow along: the tag, Q1/A1, and that "
             "lurking is fine."),
    DemoIdea(TOPIC, "TEFCA one year in: is anyone actually exchanging data?",
             "Let's hear from people on the ground.\n\n- Which QHINs are you connected to?\n"
             "- What use cases work today?\n- What is still stuck?", Status.PLANNED,
             "Scheduled for early next quarter, with a guest host from a QHIN."),
    DemoIdea(TOPIC, "AI scribes: what clinicians actually think",
             "Ambient AI scribes are everywhere at conferences. I'd love a chat on the "
             "**real-world** experience: accuracy, patient consent, and whether notes got "
             "better or just longer."),
    DemoIdea(TOPIC, "Patient portals that patients can actually use",
             "Portals are built for billing and labs, not for people. What would a portal "
             "designed **with** patients look like?\n\nBonus: caregiver (proxy) access."),
    DemoIdea(TOPIC, "Nurse informatics burnout and alert fatigue",
             "Nurse informaticists sit between the bedside and IT and take heat from both.\n\n"
             "Let's talk about **alert fatigue**, workload, and what leaders can do."),
    DemoIdea(TOPIC, "FHIR APIs for beginners",
             "Not everyone in the chat is a developer. A gentle hour on what a **FHIR API** "
             "is, with a few real examples (see the [primer](https://example.org/fhir-101))."),
    DemoIdea(TOPIC, "Interoperability stories from small and rural practices",
             "Most interoperability talk is about big systems. How do **small practices** "
             "send a referral or get a discharge summary today?"),
    DemoIdea(TOPIC, "Who owns the data from wearables?",
             "Watches and glucose monitors make a lot of data. Who owns it, who sees it, and "
             "should it land in the chart?"),
    DemoIdea(TOPIC, "Information blocking, from the patient side",
             "The rules are in force, but patients still wait for records. Let's collect "
             "**stories** and practical tips for requesting your own data."),
    DemoIdea(TOPIC, "Cybersecurity after the big ransomware outages",
             "What did downtime procedures look like during the recent outages, and what "
             "would we do differently?"),
    DemoIdea(HOST, "Invite a CMIO who led an EHR migration",
             "Someone who has been through a **big-bang go-live** and can be honest about "
             "what went wrong.", Status.UNDER_REVIEW,
             "Reaching out to a couple of CMIOs; suggestions welcome in the comments."),
    DemoIdea(HOST, "A patient advocate as co-host",
             "Let a **patient advocate** write the questions and co-host one chat. Nothing "
             "about us without us."),
    DemoIdea(HOST, "A nurse informaticist from a critical access hospital",
             "Small hospitals do informatics with a team of one. Their view would be eye-opening."),
    DemoIdea(HOST, "A UX researcher from an EHR vendor",
             "Why do screens look the way they do? A vendor **UX researcher** could explain "
             "how clinician feedback gets (or doesn't get) into the product."),
    DemoIdea(HOST, "A medical librarian on judging health information",
             "Misinformation comes up every few weeks. A medical librarian could share how "
             "they evaluate sources."),
    DemoIdea(EVENTS, "#HITsm meetup at HIMSS",
             "Many of us will be at HIMSS. A casual **meetup** (coffee or an evening drink) "
             "to put faces to handles?\n\nI can look for a venue near the convention center."),
    DemoIdea(EVENTS, "A yearly recap: the year in #HITsm",
             "One chat in December looking back: **top topics**, favorite answers, new "
             "members, and what we want next year."),
    DemoIdea(EVENTS, "Mentorship pairs for students",
             "Pair nursing and informatics students with a community member for a few "
             "months. Low commitment: one call a month."),
    DemoIdea(EVENTS, "A shared calendar feed of upcoming chats",
             "An iCal feed with topics and hosts so the chat shows up in our calendars."),
    DemoIdea(EVENTS, "Put the chat schedule in my calendar",
             "I keep missing chats. Could the schedule come to my calendar somehow?"),
    DemoIdea(EVENTS, "A half-day virtual unconference",
             "Lightning talks from members, voted on here. Free, recorded, and captioned."),
    DemoIdea(OTHER, "Alt text on every chat image",
             "Question cards are images. Please add **alt text** so screen reader users can "
             "take part."),
    DemoIdea(OTHER, "A glossary of health IT acronyms",
             "HIE, QHIN, USCDI, CDS... A community glossary would help newcomers. Could start "
             "on [the wiki](https://example.org/hitsm/glossary)."),
    DemoIdea(OTHER, "A searchable archive of past chats", "Old chats are hard to find. An "
             "archive searchable by topic and host would make them useful again."),
    DemoIdea(OTHER, "Pin the community guidelines before each chat",
             "A short reminder: be kind, no selling, protect patient privacy."),
)

GENERIC_COMMENTS = (
    "+1, I'd show up for this.", "Love this. Happy to help if needed.",
    "Seconding this: it came up in last week's chat too.",
    "Curious how this would work for people who join late?",
    "Yes please! I mostly lurk, and this would get me to join in.",
    "Could we try it once and see how it goes?", "Great suggestion, shared with my team.",
    "**Strongly agree.** This has been on my wish list for a while.",
)
CATEGORY_COMMENTS = {
    CHAT: ("Anything that helps people outside US time zones gets my vote.",
           "As long as the hashtag stays the same, I'm in.",
           "Please keep questions short: typing long answers on a phone is hard."),
    TOPIC: ("We are living this at my hospital right now; happy to share what worked.",
            "Would love the patient perspective on this, not just vendors.",
            "Maybe pair it with a short reading list beforehand?",
            "Our nurses would have a lot to say about this one."),
    HOST: ("I can make an intro to someone who fits this well.",
           "Please leave time for follow-up questions.",
           "A frontline perspective would be refreshing."),
    EVENTS: ("I'd travel for this!", "Happy to help organise.",
             "Please include a virtual option for those who can't travel."),
    OTHER: ("Small change, big difference.", "Is there anything volunteers can do?",
            "This would help newcomers a lot."),
}


def _between(rng: random.Random, start: datetime, end: datetime, skew: float = 1.0) -> datetime:
    """A random moment from start to end; skew above 1 leans towards start."""
    return start + (end - start) * rng.random() ** skew


def _account(email: str, name: str, password: str, role: Role, new: list[User]) -> User:
    """The demo account with this email, created (and noted in `new`) if missing."""
    user = find_by_email(email)
    if user is None:
        user = create_user(email, name, password, role)
        new.append(user)
    return user


def _create_ideas(rng: random.Random, members: list[User]) -> list[tuple[DemoIdea, Idea]]:
    """Post every demo idea, a few members being more prolific than the rest."""
    category_ids = {c.name: c.id for c in all_categories()}
    fallback = next(iter(category_ids.values()))
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(members))]
    return [
        (spec, create_idea(rng.choices(members, weights)[0], spec.title, spec.body,
                           category_ids.get(spec.category, fallback)))
        for spec in IDEAS
    ]


def _cast_votes(rng: random.Random, pairs: list[tuple[DemoIdea, Idea]],
                members: list[User]) -> dict[int, int]:
    """Skewed voting: a few ideas draw most votes, some none; returns votes per idea id."""
    counts: dict[int, int] = {}
    for spec, idea in pairs:
        popularity = rng.betavariate(0.7, 1.1)
        if spec.status is not None:
            popularity = max(popularity, rng.uniform(0.35, 0.9))
        voters = rng.sample(members, round(popularity * len(members)))
        counts[idea.id] = sum(cast_vote(user.id, idea.id) for user in voters)
    return counts


def _add_comments(rng: random.Random, pairs: list[tuple[DemoIdea, Idea]],
                  members: list[User], votes: dict[int, int],
                  caretaker: User) -> list[Comment]:
    """Member and visitor comments, busier on popular ideas, plus one hidden spam comment."""
    weights = [0.5 + votes[idea.id] for _, idea in pairs]
    kinds = [True] * MEMBER_COMMENTS + [False] * GUEST_COMMENTS
    rng.shuffle(kinds)
    used: dict[int, set[str]] = {}
    threads: dict[int, list[Comment]] = {}
    added = []
    for is_member in kinds:
        spec, idea = rng.choices(pairs, weights)[0]
        pool = CATEGORY_COMMENTS[spec.category] + GENERIC_COMMENTS
        seen = used.setdefault(idea.id, set())
        body = rng.choice([b for b in pool if b not in seen] or list(pool))
        seen.add(body)
        started = threads.setdefault(idea.id, [])
        parent = rng.choice(started) if started and rng.random() < REPLY_SHARE else None
        if is_member:
            comment = comment_service.add_member_comment(idea, rng.choice(members), body,
                                                         parent)
        else:
            name, email = rng.choice(GUESTS)
            comment = comment_service.add_guest_comment(idea, name, email, body, parent=parent)
        if parent is None:
            started.append(comment)
        added.append(comment)
    target = max(pairs, key=lambda pair: votes[pair[1].id])[1]
    spam = comment_service.add_guest_comment(target, *SPAM)
    comment_service.set_comment_hidden(spam, True, caretaker)
    return [*added, spam]


def _spread_ideas(rng: random.Random, pairs: list[tuple[DemoIdea, Idea]], now: datetime) -> None:
    """Backdate ideas over the last months (newer ones likelier)."""
    for spec, idea in pairs:
        youngest = 60.0 if spec.status is not None else 0.1
        age = youngest + (MAX_AGE_DAYS - youngest) * rng.random() ** 2
        idea.created_at = idea.updated_at = now - timedelta(days=age)


def _answer_ideas(rng: random.Random, pairs: list[tuple[DemoIdea, Idea]], now: datetime,
                  caretaker: User) -> None:
    """The caretaker's statuses and responses, some time after each idea was posted."""
    for spec, idea in pairs:
        if spec.status is not None:
            respond(idea, spec.status, spec.response, caretaker,
                    at=_between(rng, idea.created_at, now, 0.7))


def _spread_activity(rng: random.Random, ideas: list[Idea], comments: list[Comment],
                     now: datetime) -> None:
    """Backdate votes and comments to moments between their idea's creation (or, for a
    reply, its comment's) and now."""
    created = {idea.id: idea.created_at for idea in ideas}
    answered = {}
    for comment in comments:  # a comment comes before the replies to it
        start = answered.get(comment.parent_id) or created[comment.idea_id]
        comment.created_at = answered[comment.id] = _between(rng, start, now, 2.0)
        if comment.hidden_at is not None:
            comment.hidden_at = min(comment.created_at + timedelta(hours=rng.uniform(1, 12)), now)
    keys = db.session.execute(
        select(Vote.user_id, Vote.idea_id).order_by(Vote.idea_id, Vote.user_id)
    ).all()
    rows = [
        {"user_id": user_id, "idea_id": idea_id,
         "created_at": _between(rng, created[idea_id], now, 2.0)}
        for user_id, idea_id in keys
    ]
    if rows:
        db.session.execute(update(Vote), rows)


DUPLICATE = ("Put the chat schedule in my calendar", "A shared calendar feed of upcoming chats")
WAITING = ("Dana Visitor", "dana@example.org",
           "First time here! Could the AMA also take questions by email?")
FLAGGED_REASON = "Reads like an advert"
CHAT_FROM = ("FHIR APIs for beginners", "Invite a CMIO who led an EHR migration")
CHAT_TITLE = "FHIR for the rest of us"
CHAT_HOST = "@fhir_friend"
CHAT_QUESTIONS = (
    "What was your first FHIR project, and what surprised you?",
    "Which FHIR resources should a beginner learn first, and why?",
    "How do you explain APIs to clinicians who just want the data?",
    "What would make FHIR easier for small practices?",
)
# A visitor confirmed publishing what the guardrail pointed out: flagged for the caretaker.
CONFIRMED_HEALTH_DATA = ("Pat", "I run a caregivers' group and would love to host. Call me on "
                         "617-555-0142 if that helps.")
PRIVATE_NOTE = ("Sam Reader", "sam@example.org",
                "I'd like to host a chat on rural telehealth but I'm not ready to say so "
                "in public yet. Could we talk?")


def _caretaker_examples(pairs: list[tuple[DemoIdea, Idea]], caretaker: User,
                        members: list[User]) -> None:
    """What the caretaker's desk shows on a fresh demo: a merged pair, a visitor's comment
    waiting in moderated mode, a flagged comment."""
    by_title = {idea.title: idea for _, idea in pairs}
    merging.merge(by_title[DUPLICATE[0]], by_title[DUPLICATE[1]], caretaker)
    settings.change(caretaker, visitor_comments=settings.VisitorComments.MODERATED)
    ama = pairs[0][1]
    comment_service.add_guest_comment(ama, *WAITING, held=True)
    spam_like = comment_service.add_guest_comment(
        ama, "Growth Hacker", None, "Our agency can run your chats for you, DM me.")
    flags.flag(members[1], flags.Reason.SPAM, FLAGGED_REASON, comment=spam_like)
    name, text = CONFIRMED_HEALTH_DATA
    confirmed = comment_service.add_guest_comment(by_title[CHAT_FROM[1]], name, None, text)
    health_data.flag_confirmed(health_data.scan({"body": text}), comment=confirmed)
    chat_ideas = [by_title[title] for title in CHAT_FROM]
    next_friday = (utcnow() + timedelta(days=7 - utcnow().weekday() + 4)).replace(
        hour=17, minute=0, second=0, microsecond=0)  # noon in New York, in winter
    chats.plan_chat(caretaker, title=CHAT_TITLE, starts_at=next_friday,
                    time_zone="America/New_York", host_id=None, host_handle=CHAT_HOST,
                    questions=list(CHAT_QUESTIONS), idea_ids=[i.id for i in chat_ideas])
    inbox.send(None, *PRIVATE_NOTE)


REVIEW_SUMMARY = (
    "Thank you for voting. The **monthly AMA** and the **async thread** lead by far, so both "
    "are on the roadmap, and we are looking for a CMIO to host. Keep the host ideas coming.")


def _reviews(caretaker: User, now: datetime) -> None:
    """A review a fortnight ago (its top as the votes stood then) with a published summary,
    and one today, so the desk shows what moved and /decisions shows the summary."""
    then = now - timedelta(days=14)
    votes_then = db.session.execute(
        select(Vote.idea_id, Vote.created_at).join(Idea, Idea.id == Vote.idea_id)
        .where(public_filter(), Vote.created_at < then)).all()
    tally: dict[int, list[datetime]] = {}
    for idea_id, at in votes_then:
        tally.setdefault(idea_id, []).append(at)
    top = sorted(tally.items(), key=lambda item: (-len(item[1]), item[0]))[:reviews.TOP]
    earlier = Review(started_at=then, started_by_id=caretaker.id)
    db.session.add(earlier)
    db.session.flush()
    db.session.add_all(
        ReviewEntry(review_id=earlier.id, rank=rank, idea_id=idea_id, vote_count=len(cast),
                    trending=trending_now(sum(map(trending_weight, cast)), then))
        for rank, (idea_id, cast) in enumerate(top, start=1))
    reviews.publish_summary(earlier, REVIEW_SUMMARY, now=then + timedelta(days=1))
    reviews.start_review(caretaker, now=now)


# Visitors who asked for the weekly digest by email: two confirmed, one not yet.
SUBSCRIBERS = (("lurker.leeds@example.net", True), ("student.jo@example.net", True),
               ("chris.trainer@example.net", False))


def _subscribers(now: datetime) -> None:
    db.session.add_all(
        Subscriber(email=email, created_at=now - timedelta(days=20 - n),
                   confirmation_sent_at=now - timedelta(days=20 - n),
                   confirmed_at=now - timedelta(days=19 - n) if confirmed else None)
        for n, (email, confirmed) in enumerate(SUBSCRIBERS))


# Hosts: a nominee who agreed, one not yet asked back, and a member who offered.
NOMINEES = (("A nurse informaticist from a critical access hospital", "Carla Mendes",
             "@carla_cah", True),
            ("A UX researcher from an EHR vendor", "Sam Okoro", "@sam_ux", False))
OFFER = ("priya", "Nursing informatics and alert fatigue; how small teams run go-lives.")


def _hosts(pairs: list[tuple[DemoIdea, Idea]], members: list[User], now: datetime) -> None:
    by_title = {idea.title: idea for _, idea in pairs}
    for title, name, handle, agreed in NOMINEES:
        idea = by_title[title]
        email = f"{handle.strip('@').replace('_', '.')}@example.net"
        nomination = nominations.nominate(idea, name, handle, email,
                                          now=idea.created_at + timedelta(minutes=5))
        if agreed:
            nominations.answer(nomination, True, now=idea.created_at + timedelta(days=1))
    volunteer = next(m for m, (handle, _n) in zip(members, MEMBERS, strict=True)
                     if handle == OFFER[0])
    nominations.offer_to_host(volunteer, OFFER[1], now=now - timedelta(days=3))


DEMO_WEBHOOK = "https://example.org/hitsm-chat-planner"  # a made-up receiver


def _webhook(caretaker: User, now: datetime) -> None:
    """A webhook for planned chats, with the test and the chat it delivered."""
    hook = webhooks.create(caretaker, DEMO_WEBHOOK, [webhooks.CHAT_PLANNED],
                           WebhookFormat.STANDARD)
    db.session.flush()
    for event, hours in ((webhooks.TEST, 50), (webhooks.CHAT_PLANNED, 48)):
        db.session.add(WebhookDelivery(
            webhook_id=hook.id, event=event, message_id=f"msg_demo_{hook.id}_{hours}",
            body="{}", created_at=now - timedelta(hours=hours), attempts=1,
            next_attempt_at=now - timedelta(hours=hours),
            sent_at=now - timedelta(hours=hours), last_status=200))


def seed_demo(seed: int = 7) -> str:
    """Fill a board that has no ideas with a reproducible demo; returns a one-line summary."""
    if db.session.scalar(select(Idea.id).limit(1)) is not None:
        return "The board already has ideas; the demo was not added."
    rng, now, new_users = random.Random(seed), utcnow(), []
    mail_before = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    caretaker = _account(f"{CARETAKER[0]}@example.org", CARETAKER[1], CARETAKER_PASSWORD,
                         Role.CARETAKER, new_users)
    members = [_account(f"{handle}@example.org", name, MEMBER_PASSWORD, Role.MEMBER, new_users)
               for handle, name in MEMBERS]
    for user in new_users:
        user.created_at = now - timedelta(days=MAX_AGE_DAYS + rng.uniform(10, 200))
    for user, (handle, name) in zip(members, MEMBERS, strict=True):
        user.handle = f"{handle}_hitsm"
        user.bio = f"{name.partition(', ')[2] or name}. Here for the Friday chats."
    pairs = _create_ideas(rng, members)
    votes = _cast_votes(rng, pairs, members)
    comments = _add_comments(rng, pairs, members, votes, caretaker)
    ideas = [idea for _, idea in pairs]
    _spread_ideas(rng, pairs, now)
    _answer_ideas(rng, pairs, now, caretaker)
    _spread_activity(rng, ideas, comments, now)
    db.session.flush()
    recompute_trending()
    _caretaker_examples(pairs, caretaker, members)
    _reviews(caretaker, now)
    _subscribers(now)
    _webhook(caretaker, now)
    _hosts(pairs, members, now)
    # The demo's history is made up: nobody is mailed about it.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > mail_before))
    return (
        f"Demo board: {len(members)} members, {len(ideas)} ideas, {sum(votes.values())} votes, "
        f"{len(comments)} comments. Log in as caretaker@example.org / {CARETAKER_PASSWORD} "
        f"or ana@example.org / {MEMBER_PASSWORD}"
    )
