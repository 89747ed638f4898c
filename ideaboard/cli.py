"""Flask commands: init-db, create-user, create-token, seed-demo, seed, recompute-trending,
backup, restore, worker."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from ideaboard.extensions import db
from ideaboard.models import Role
from ideaboard.progress import progress_bar
from ideaboard.services import accounts, api_tokens
from ideaboard.services.backup import BackupError, restore_backup, write_backup
from ideaboard.services.categories import seed_categories
from ideaboard.services.maintenance import recompute_trending


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Migrate the database to the newest schema and add the default categories."""
    upgrade()
    added = seed_categories()
    db.session.commit()
    click.echo(f"Database is up to date ({added} categories added).")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account (the password is asked for, or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("The password needs at least 8 characters.")
    try:
        user = accounts.create_user(email, name, password, Role(role))
    except accounts.EmailTaken as taken:
        raise click.ClickException(f"An account with {email} already exists.") from taken
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} ({user.display_name}).")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="The token's name.")
def create_token_command(email: str, name: str) -> None:
    """Make an API token for the member with EMAIL and print it, alone on its line (for
    scripts: `TOKEN=$(flask create-token ...)`); it is not shown again."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    try:
        _row, token = api_tokens.create_token(user.id, name)
    except ValueError as refused:  # too many tokens, or a name the account page would refuse
        raise click.ClickException(str(refused)) from refused
    db.session.commit()
    click.echo(token)


@click.command("seed-demo")
@with_appcontext
@click.option("--seed", default=7, show_default=True, help="Random seed, for a repeatable board.")
def seed_demo_command(seed: int) -> None:
    """Fill an empty board with believable members, ideas, votes and comments."""
    from ideaboard.demo import seed_demo

    seed_categories()
    summary = seed_demo(seed)
    db.session.commit()
    click.echo(summary)


@click.command("seed")
@click.option("--ideas", default=1000, show_default=True)
@click.option("--members", default=200, show_default=True)
@click.option("--votes", default=10_000, show_default=True)
@click.option("--comments", default=2000, show_default=True)
@click.option("--seed", "seed_value", default=1, show_default=True, help="Random seed.")
@with_appcontext
def seed_command(ideas: int, members: int, votes: int, comments: int, seed_value: int) -> None:
    """Add a large, realistic board in bulk (for benchmarks): Zipf-skewed votes, a year of ideas."""
    from ideaboard.seeding import SEED_PASSWORD, SeedPlan, seed_board, settle_after_load

    if votes > ideas * members:
        raise click.BadParameter("more votes than member-idea pairs", param_hint="--votes")
    started = time.perf_counter()
    with progress_bar("Seeding rows") as progress:
        counts = seed_board(SeedPlan(ideas, members, votes, comments, seed_value),
                            progress=progress)
    db.session.commit()
    settle_after_load()
    summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
    click.echo(f"Seeded {summary} in {time.perf_counter() - started:.1f} s "
               f"(members' password: {SEED_PASSWORD}).")


@click.command("recompute-trending")
@with_appcontext
def recompute_trending_command() -> None:
    """Recompute every idea's counts and trending score from its vote and comment rows."""
    count = recompute_trending()
    db.session.commit()
    click.echo(f"Recomputed {count} ideas.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists (refused without).")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the whole database to PATH, consistent while the board serves and writes: an
    SQLite file, or a pg_dump archive on PostgreSQL. An existing PATH needs --force."""
    label = "Backing up (pages)" if db.engine.dialect.name == "sqlite" else "Backing up (tables)"
    try:
        with progress_bar(label) as progress:
            write_backup(db.engine, path, progress, replace=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the database to {path} ({path.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a board that has members, ideas, votes or comments.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Replace everything in the database with the backup at PATH (made by `backup`);
    refused while the board has members, ideas, votes or comments, unless --force."""
    try:
        with progress_bar("Restoring") as progress:
            restore_backup(db.engine, path, progress, replace_board=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the database from {path}.")


@click.command("worker")
@click.option("--once", is_flag=True,
              help="Send until nothing is due, then stop (for cron or a test).")
@click.option("--interval", default=2.0, show_default=True,
              help="Seconds between looks at the outbox when it had nothing due.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Send the queued mail and webhook deliveries, trying failed sends again with back-off;
    runs until stopped (any number of workers may run at once)."""
    from ideaboard.services.outbox import send_due
    from ideaboard.services.webhooks import deliver_due

    while True:
        report = send_due()
        report.add(deliver_due())
        for error in report.errors:
            click.echo(f"not sent: {error}", err=True)
        if report.handled:
            click.echo(f"sent {report.sent}, to try again {report.retrying}, "
                       f"failed {report.failed}")
        if report.handled == 0:
            if once:
                return
            time.sleep(interval)


@click.command("send-digest")
@with_appcontext
def send_digest_command() -> None:
    """Queue this week's digest for every subscribed member (the worker sends it). Running
    it again in the same week sends nothing twice; after a crash, it goes on where it
    stopped."""
    from ideaboard.services.digest import send_digest

    report = send_digest()
    if report.already_sent:
        click.echo(f"This week's digest ({report.week}) was already queued: nothing to do.")
    else:
        click.echo(f"Queued {report.queued:,} digests for {report.week}.")


def register(app: Flask) -> None:
    for command in (init_db_command, create_user_command, create_token_command,
                    seed_demo_command, seed_command, recompute_trending_command, backup_command,
                    restore_command, worker_command, send_digest_command):
        app.cli.add_command(command)
