"""Categories ideas are filed under."""

from __future__ import annotations

import re

from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Category

DEFAULT_CATEGORIES = (
    "Chat format",
    "Topic for a future chat",
    "Host to invite",
    "Community & events",
    "Other",
)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


def seed_categories() -> int:
    """Add the default categories that are missing; returns how many were added."""
    existing = set(db.session.scalars(select(Category.name)))
    added = 0
    for position, name in enumerate(DEFAULT_CATEGORIES):
        if name not in existing:
            db.session.add(Category(name=name, slug=slugify(name), position=position))
            added += 1
    db.session.flush()
    return added
