"""How long the weekly digest takes to queue for the members of a big board.

    .venv/bin/python bench/digest.py [--ideas 100000] [--reseed]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

On a copy of the seeded SQLite board (bench/.data/board-N.sqlite: N/10 members, so 10,000
at 100,000 ideas), or on the PostgreSQL database given (seeded afresh), it makes a third of
the members take status changes and comments weekly (so their digests have a part of their
own), then times `send_digest` in-process as `flask send-digest` runs it: every member's
mail rendered (text and HTML) and queued in the outbox. Then it runs it again, which must
queue nothing. Target: under a minute for 10,000 members.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import boards

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        boards.seeded_postgresql(args.database_url, args.ideas)
        url = args.database_url
    else:
        board = boards.seeded_sqlite(args.ideas, args.reseed)
        url = boards.sqlite_url(boards.fresh_copy(board, f"digest-{args.ideas}.sqlite"))
    os.environ.update(SECRET_KEY=boards.SECRET_KEY, DATABASE_URL=url)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select, update

    from ideaboard import create_app
    from ideaboard.extensions import db
    from ideaboard.models import Delivery, OutboxMessage, User
    from ideaboard.services.digest import send_digest

    app = create_app(with_cli=False)
    with app.app_context():
        db.session.execute(update(User).where(User.id % 3 == 0).values(
            notify_updates=Delivery.DIGEST, notify_comments=Delivery.DIGEST,
            notify_replies=Delivery.DIGEST))
        db.session.commit()
        members = db.session.scalar(select(func.count()).select_from(User).where(
            User.digest_subscribed.is_(True), User.email_verified_at.is_not(None)))
        started = time.perf_counter()
        report = send_digest()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = send_digest()
        second = time.perf_counter() - started
        outbox = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        sizes = db.session.execute(select(func.avg(func.length(OutboxMessage.text_body)),
                                          func.avg(func.length(OutboxMessage.html_body)))).one()
    verdict = "met" if first < TARGET_SECONDS else "MISSED"
    print(f"database: {boards.kind(url)}, {args.ideas:,} ideas, {members:,} subscribed members")
    print(f"digest {report.week}: {report.queued:,} queued in {first:.1f} s "
          f"({report.queued / first:,.0f} per second); target < {TARGET_SECONDS:.0f} s: "
          f"{verdict}")
    print(f"again the same week: {again.queued} queued in {second * 1000:.0f} ms "
          f"(already sent: {again.already_sent})")
    print(f"outbox rows: {outbox:,}; average text {sizes[0]:,.0f} B, html {sizes[1]:,.0f} B")


if __name__ == "__main__":
    main()
