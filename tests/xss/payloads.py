"""XSS payloads: the shared lists next to the checkout when present, and always the
project's own Markdown-aware set (the whole of what runs on a machine without the lists)."""

from __future__ import annotations

import random
from pathlib import Path

# tests/xss/payloads.py -> the repository root -> ../shared/data beside the checkout.
DATA_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
WHOLE_LIST = "xss-payloads.txt"
QUICK_LIST = "xss-quick.txt"
SAMPLE_SIZE = 200
SAMPLE_SEED = 20_251_202

# Ours: the classics, plus what the shared lists (HTML-minded) lack for a Markdown site:
# links, autolinks, reference links and images with dangerous schemes, linkified text,
# breaking out of the attributes and elements the templates write user text into, and the
# character cached pages use to mark their personal holes.
OWN_PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[click](https://example.org "x\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "[x]\n\n[x]: javascript:alert(1)",
    "javascript:alert(1) and www.example.org/<script>alert(1)</script>",
    "`<script>alert(1)</script>` and ``</code><script>alert(1)</script>``",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\ue000T\ue000 \ue000N\ue000<script>alert(1)</script>",
)


def _lines(name: str) -> list[str]:
    """The non-blank lines of a shared list, or none where the list is absent."""
    path = DATA_DIR / name
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def all_payloads() -> list[str]:
    """Every payload: the quick list, ours, then the whole list (each once, in that order)."""
    return _unique([*_lines(QUICK_LIST), *OWN_PAYLOADS, *_lines(WHOLE_LIST)])


def sample_payloads(size: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> list[str]:
    """The quick list and ours, topped up to `size` from the whole list with a fixed seed."""
    always = _unique([*_lines(QUICK_LIST), *OWN_PAYLOADS])
    taken = set(always)
    rest = [payload for payload in all_payloads() if payload not in taken]
    top_up = random.Random(seed).sample(rest, min(len(rest), max(0, size - len(always))))
    return [*always, *top_up]
