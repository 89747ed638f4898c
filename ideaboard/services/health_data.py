"""The health-data guardrail: before an idea or a comment is published, text that looks like
someone's personal health information is pointed out to its author, who edits it out or
confirms it; what they confirm is published and flagged for the caretaker.

The patterns are the HEALTH_DATA_PATTERNS setting (a description of what each finds, and a
regular expression), so a board can add its own country's record numbers or drop a pattern
that misfires. They only ever ask: a false alarm costs the author one tick."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app

from ideaboard.models import Comment, Idea
from ideaboard.services import flags

_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}"
         r"|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})")
_NAME = r"[A-Z][a-z]+(?:[ \-][A-Z][a-z]+)*"
# What each finds (as the author is told), and how.
DEFAULT_PATTERNS: dict[str, str] = {
    "a medical record number": (
        r"(?i:\b(?:MRN|medical\s+record(?:\s+(?:number|no\.?|#))?|record\s+(?:number|no\.?|#)"
        r"|patient\s+(?:id|number|no\.?|#)|chart\s+(?:number|no\.?|#))\s*[:#]?\s*)"
        r"[A-Za-z]{0,3}\d[\d\-]{3,}"),
    "a date of birth": (rf"(?i:\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|born(?:\s+on)?)"
                        rf"\s*[:\-]?\s*){_DATE}"),
    "a phone number": (r"(?<![\w+.])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{2,4}\)|\d{2,4})"
                       r"[\s.\-]\d{3,4}[\s.\-]\d{3,4}(?![\w\-]|\.\d)"),
    "an email address": r"\b[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+\b",
    "a patient's name": (
        rf"\bpatient(?:'s)?\s+(?:(?i:named|called)\s+{_NAME}"
        rf"|(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+{_NAME}|[A-Z][a-z]+\s+[A-Z][a-z]+)"
        rf"|\b{_NAME}\s+[A-Z][a-z]+,\s+(?:a|the|our|my)\s+(?i:patient)\b"),
}
CONTEXT = 30  # characters shown either side of what was found


@dataclass(frozen=True)
class Finding:
    """A part of a field's text that looks like personal health information."""

    field: str  # the form field, or the API's property
    kind: str  # "a phone number"
    found: str
    before: str  # the text around it, to point it out in place
    after: str


def scan(texts: Mapping[str, str | None]) -> list[Finding]:
    """What in each text (by field name) looks like personal health information, in the
    order it comes in the text."""
    findings = []
    for field, text in texts.items():
        text = text or ""
        found = sorted((match.span(), kind) for kind, pattern in _patterns(_configured())
                       for match in pattern.finditer(text))
        for (start, end), kind in found:
            findings.append(Finding(field, kind, text[start:end], _before(text, start),
                                    _after(text, end)))
    return findings


def _before(text: str, start: int) -> str:
    return ("…" if start > CONTEXT else "") + text[max(start - CONTEXT, 0):start]


def _after(text: str, end: int) -> str:
    return text[end:end + CONTEXT] + ("…" if end + CONTEXT < len(text) else "")


def _configured() -> tuple[tuple[str, str], ...]:
    return tuple(current_app.config.get("HEALTH_DATA_PATTERNS", DEFAULT_PATTERNS).items())


@lru_cache(maxsize=8)
def _patterns(configured: tuple[tuple[str, str], ...]) -> list[tuple[str, re.Pattern]]:
    return [(kind, re.compile(pattern)) for kind, pattern in configured]


def kinds(findings: list[Finding]) -> str:
    """"a phone number and an email address": what was found, each kind once."""
    names = list(dict.fromkeys(finding.kind for finding in findings))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def flag_confirmed(findings: list[Finding], *, idea: Idea | None = None,
                   comment: Comment | None = None) -> None:
    """The author published what the guardrail pointed out: the caretaker gets a look."""
    if findings:
        flags.flag(None, flags.Reason.HEALTH_DATA,
                   f"Published after the author confirmed it: it looks like {kinds(findings)}.",
                   idea=idea, comment=comment)
