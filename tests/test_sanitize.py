"""The one door for untrusted HTML, tried against a public XSS corpus."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ideaboard.sanitize import plain_excerpt, render_markdown

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg/onload=alert(1)>",
    '"><iframe src="//evil.example">',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<style>body{display:none}</style>",
    "![img](x onerror=alert(1))",
]


def _payloads() -> list[str]:
    lines = list(OWN_PAYLOADS)
    for name in ("xss-payloads.txt", "xss-quick.txt"):
        path = SHARED_DATA / name
        if path.exists():
            lines += [line for line in path.read_text(errors="replace").splitlines() if line]
    return lines


ALLOWED = {"p": set(), "br": set(), "strong": set(), "em": set(), "code": set(), "pre": set(),
           "blockquote": set(), "ul": set(), "ol": {"start"}, "li": set(), "hr": set(),
           "h3": set(), "h4": set(), "h5": set(), "h6": set(), "del": set(),
           "a": {"href", "title", "rel"}}
SAFE_HREF = re.compile(r"^(https?:|mailto:|[^:]*$)", re.IGNORECASE)


class _TagAudit(HTMLParser):
    """Parses output as a browser would and records every element and attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}>")
            return
        for name, value in attrs:
            if name not in ALLOWED[tag]:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and not SAFE_HREF.match((value or "").strip()):
                self.problems.append(f"href {value!r}")


def _assert_safe(html: str) -> None:
    audit = _TagAudit()
    audit.feed(html)
    audit.close()
    assert audit.problems == [], html


def test_corpus_is_large_when_the_shared_data_is_present():
    if (SHARED_DATA / "xss-payloads.txt").exists():
        assert len(_payloads()) > 6000


def test_every_payload_comes_out_inert():
    for payload in _payloads():
        _assert_safe(render_markdown(f"{payload}\n\nBefore **{payload}** after"))


def test_markdown_renders_a_small_safe_set():
    html = render_markdown("**bold** *it* `code`\n\n- one\n- two\n\n> quote")
    for fragment in ("<strong>bold</strong>", "<em>it</em>", "<code>code</code>",
                     "<li>one</li>", "<blockquote>"):
        assert fragment in html


def test_links_get_nofollow_ugc_noopener():
    html = render_markdown("[site](https://example.org) and https://example.com/bare")
    assert html.count('rel="nofollow ugc noopener"') == 2


@pytest.mark.parametrize("level", [1, 2, 3])
def test_headings_are_demoted_below_the_pages_own(level):
    html = render_markdown("#" * level + " Heading")
    assert f"<h{level + 2}>Heading</h{level + 2}>" in html


def test_raw_html_is_shown_as_text_not_markup():
    assert "&lt;b&gt;" in render_markdown("<b>not bold</b>")


def test_excerpt_is_plain_text_cut_at_a_word():
    assert plain_excerpt("Hello **world** [link](https://x.org)") == "Hello world link"
    cut = plain_excerpt("word " * 100, length=30)
    assert cut.endswith("…") and len(cut) <= 30 and "wor…" not in cut


def test_a_worker_that_only_serves_pages_never_loads_the_markdown_tools(tmp_path):
    """bleach and markdown-it are loaded by the first write that renders Markdown."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from flask_migrate import upgrade\n"
        "from ideaboard import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite',"
        " 'SECRET_KEY': 'x'})\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "for path in ('/', '/?sort=trending', '/feeds/ideas.atom', '/login', '/signup'):\n"
        "    assert app.test_client().get(path).status_code == 200, path\n"
        "print(sorted(m for m in ('bleach', 'markdown_it') if m in sys.modules))\n"
        "from ideaboard.sanitize import render_markdown\n"
        "render_markdown('*hi*')\n"
        "print(sorted(m for m in ('bleach', 'markdown_it') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.split("\n")[:2] == ["[]", "['bleach', 'markdown_it']"]
