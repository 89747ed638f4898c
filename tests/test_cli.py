"""The flask commands an operator uses: init-db, create-user, create-token, seed-demo,
recompute-trending."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    AuditKind,
    Category,
    Chat,
    Comment,
    Flag,
    Idea,
    Message,
    Nomination,
    Review,
    Role,
    Status,
    User,
    Vote,
)
from ideaboard.services import (
    accounts,
    api_tokens,
    newsletter,
    nominations,
    reviews,
    settings,
    webhooks,
)


def test_init_db_is_idempotent_and_seeds_the_categories(app, runner):
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["init-db"])
    assert "0 categories added" in again.output
    with app.app_context():
        names = list(db.session.scalars(select(Category.name).order_by(Category.position)))
    assert names == ["Chat format", "Topic for a future chat", "Host to invite",
                     "Community & events", "Other"]


def test_create_user_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["create-user", "Care@Example.org", "--name", "Caretaker", "--role", "caretaker",
              "--password-stdin"],
        input="long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = accounts.authenticate("care@example.org", "long enough password")
        assert user is not None and user.role is Role.CARETAKER


def test_create_user_refuses_a_short_password_or_a_taken_email(app, runner, member):
    short = runner.invoke(args=["create-user", "a@example.org", "--name", "A",
                                "--password-stdin"], input="short\n")
    taken = runner.invoke(args=["create-user", member.email, "--name", "A", "--password-stdin"],
                          input="long enough password\n")
    assert short.exit_code != 0 and "8 characters" in short.output
    assert taken.exit_code != 0 and "already exists" in taken.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_token_prints_only_a_working_token(app, runner, member):
    result = runner.invoke(args=["create-token", member.email.upper()])
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and result.stdout.count("\n") == 1
    token = result.stdout.strip()
    with app.app_context():
        assert api_tokens.holder_of(token).user_id == member.id
        assert [t.name for t in api_tokens.tokens_of(member.id)] == ["command line"]
    named = runner.invoke(args=["create-token", member.email, "--name", "Nightly export"])
    assert named.exit_code == 0, named.output
    with app.app_context():
        assert api_tokens.tokens_of(member.id)[0].name == "Nightly export"


def test_create_token_for_an_unknown_email_fails_on_stderr(app, runner, member):
    result = runner.invoke(args=["create-token", "nobody@example.org"])
    assert result.exit_code == 1
    assert result.stdout == "" and "nobody@example.org" in result.stderr
    with app.app_context():
        assert api_tokens.tokens_of(member.id) == []


def test_seed_demo_builds_a_consistent_believable_board(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        ideas = list(db.session.scalars(select(Idea)))
        assert len(ideas) >= 25
        assert len({idea.category_id for idea in ideas}) == 5
        for idea in ideas:
            rows = db.session.scalar(
                select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id))
            visible = db.session.scalar(select(func.count()).select_from(Comment).where(
                Comment.idea_id == idea.id, Comment.hidden_at.is_(None)))
            assert (idea.vote_count, idea.comment_count) == (rows, visible)
        assert db.session.scalar(select(func.count()).select_from(Comment)) >= 40
        merged = [idea for idea in ideas if idea.merged_into_id is not None]
        assert len(merged) == 1
        assert db.session.scalar(select(func.count()).select_from(Comment).where(
            Comment.held_at.is_not(None))) == 1
        assert sorted(db.session.scalars(select(Flag.reason))) == ["health_data", "spam"]
        assert settings.current().visitor_comments is settings.VisitorComments.MODERATED
        kinds = set(db.session.scalars(select(AuditEntry.kind)))
        assert {AuditKind.STATUS, AuditKind.MERGE, AuditKind.SETTINGS, AuditKind.CHAT} <= kinds
        chat = db.session.scalar(select(Chat))
        assert len(chat.questions) == 4 and len(chat.ideas) == 2
        assert {idea.status for idea in chat.ideas} == {Status.PLANNED}
        assert db.session.scalar(select(func.count()).select_from(Message)) == 1
        earlier, latest = db.session.scalars(select(Review).order_by(Review.id))
        assert earlier.summary_html and earlier.published_at and latest.published_at is None
        moved = reviews.report(latest)
        assert len(moved.rows) == reviews.TOP
        assert any(row.votes_gained for row in moved.rows)  # votes came in between
        assert newsletter.counts() == (2, 1)
        assert [h.events for h in webhooks.all_webhooks()] == [["chat.planned"]]
        consents = sorted(n.consent.value for n in db.session.scalars(select(Nomination)))
        assert consents == ["accepted", "awaiting"]
        assert len(nominations.host_offers().items) == 1
    again = runner.invoke(args=["seed-demo"])
    assert "already has ideas" in again.output


def test_recompute_trending_repairs_drifted_counts(app, runner, make_idea):
    idea_id = make_idea()
    with app.app_context():
        db.session.get(Idea, idea_id).vote_count = 42
        db.session.commit()
    assert runner.invoke(args=["recompute-trending"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Idea, idea_id).vote_count == 0


def test_seed_loads_a_board_and_leaves_postgresql_vacuumed(app, runner):
    from sqlalchemy import text

    result = runner.invoke(args=["seed", "--ideas", "50", "--members", "10", "--votes", "200",
                                 "--comments", "400"])
    assert result.exit_code == 0, result.output
    assert "50 ideas, 200 votes" in result.output
    with app.app_context():
        assert db.session.scalar(text("SELECT sum(vote_count) FROM ideas")) == 200
        if db.engine.dialect.name == "postgresql":  # SQLite has no background vacuum
            vacuumed = db.session.scalar(text(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'ideas'"
                " AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"))
            assert vacuumed == 1
            # The search index, which triggers rewrote once per comment, is as compact as a
            # fresh copy of it, and analyzed.
            db.session.execute(text("CREATE TEMP TABLE fresh AS SELECT * FROM idea_search"))
            sizes = db.session.execute(text(
                "SELECT pg_relation_size('idea_search'), pg_relation_size('fresh')")).one()
            assert sizes[0] == sizes[1]
            assert db.session.scalar(text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
                " WHERE relname = 'idea_search'"))


def test_worker_once_sends_what_is_due_then_stops(app, runner, member, tmp_path):
    with app.app_context():
        accounts.send_password_reset(member.email)
        db.session.commit()

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "sent 1, to try again 0, failed 0" in result.output
    [eml] = (tmp_path / "outbox").glob("*.eml")  # no MAIL_SERVER: the instance's outbox
    assert member.email in eml.read_text()
    assert runner.invoke(args=["worker", "--once"]).output == ""  # nothing left to send
