"""The one door for untrusted HTML: Markdown is rendered, then cleaned with bleach.

Rendering happens when text is written (services store the HTML), so bleach and
markdown-it (3.4 MB) are imported on the first write, not by a worker that only serves
pages.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from bleach.sanitizer import Cleaner
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "code", "pre", "blockquote", "ul", "ol", "li", "hr",
     "h3", "h4", "h5", "h6", "del"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# Cached pages mark their personal holes with this private-use character; user text never
# carries it, so nobody can punch a hole of their own.
PAGE_MARK = "\ue000"
# The page owns h1 (the title) and h2 (its sections); user headings start below them.
HEADING_SHIFT = 2


def _demote_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"


def _set_link_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = LINK_REL
    return attrs


@dataclass(frozen=True)
class _Tools:
    markdown: MarkdownIt
    cleaner: Cleaner
    text_only: Cleaner


@lru_cache(maxsize=1)
def _tools() -> _Tools:
    from bleach.linkifier import LinkifyFilter
    from bleach.sanitizer import Cleaner
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    markdown.enable(["linkify", "strikethrough"])
    markdown.core.ruler.push("demote_headings", _demote_headings)
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"})],
    )
    return _Tools(markdown, cleaner, Cleaner(tags=set(), strip=True))


def _markdown_html(source: str | None) -> str:
    return _tools().markdown.render((source or "").replace(PAGE_MARK, ""))


def render_markdown(source: str) -> str:
    """Markdown to HTML that is safe to put in a page as it is."""
    return _tools().cleaner.clean(_markdown_html(source))


def stored_html(html: str | None) -> Markup:
    """Mark a *_html column as safe: services fill those columns only from render_markdown."""
    return Markup(html or "")


EXCERPT_LENGTH = 200


def plain_excerpt(source: str, length: int = EXCERPT_LENGTH) -> str:
    """The Markdown's text without markup, cut at a word boundary: for lists, escaped as text."""
    text = html.unescape(_tools().text_only.clean(_markdown_html(source)))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
