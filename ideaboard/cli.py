"""Flask commands: init-db, create-user, seed-demo, recompute-trending."""

from __future__ import annotations

import sys
import time

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from ideaboard.extensions import db
from ideaboard.models import Role
from ideaboard.services import accounts
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
    counts = seed_board(SeedPlan(ideas, members, votes, comments, seed_value))
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


def register(app: Flask) -> None:
    for command in (init_db_command, create_user_command, seed_demo_command, seed_command,
                    recompute_trending_command):
        app.cli.add_command(command)
