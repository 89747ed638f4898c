"""Reading pages as a browser would submit them: links, forms and their fields, which fields
a person cannot see, which ones a refused form marks invalid, and the CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
CSRF_FIELD = "csrf_token"
_INVALID = re.compile(r'<(?:input|textarea|select)\b[^>]*\baria-invalid="true"[^>]*>')
_NAME = re.compile(r'\bname="([^"]*)"')


@dataclass
class HtmlField:
    """A named control: its kind (input type, textarea, select), default, and visibility."""

    name: str
    kind: str
    value: str | None  # what the browser would send untouched (None: nothing)
    hidden_from_people: bool
    ticked_value: str | None = None  # a checkbox's value, sent once a person ticks it


@dataclass
class HtmlForm:
    """A form as a page renders it: where it posts, and its named controls."""

    page: str
    action: str  # path and query, resolved against the page
    method: str
    fields: dict[str, HtmlField] = field(default_factory=dict)
    submit_labels: dict[str, str] = field(default_factory=dict)

    def defaults(self) -> dict[str, str]:
        """What submitting the form untouched would send (its CSRF token aside)."""
        return {name: f.value for name, f in self.fields.items()
                if f.value is not None and name != CSRF_FIELD}


@dataclass
class Page:
    """What a page offers to follow and to submit."""

    links: list[str] = field(default_factory=list)
    forms: list[HtmlForm] = field(default_factory=list)
    csrf_token: str | None = None


class _Parser(HTMLParser):
    """Collects a page's links, forms and controls, and which controls sit in hidden parts."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url, self.page = url, Page()
        self.open: list[tuple[str, bool]] = []  # open elements, and whether each hides
        self.form: HtmlForm | None = None
        self.select: tuple[HtmlField, list[list]] | None = None  # with its options
        self.option: list | None = None
        self.textarea: HtmlField | None = None

    @property
    def hidden(self) -> bool:
        return any(hides for _tag, hides in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag not in VOID:
            hides = "hidden" in a or a.get("aria-hidden") == "true"
            self.open.append((tag, hides))
        if (tag == "a" or (tag == "link" and "alternate" in a.get("rel", "").split())) \
                and "href" in a:  # pages, and the feeds a page offers
            self.page.links.append(a["href"])
        elif tag == "meta" and a.get("name") == "csrf-token":
            self.page.csrf_token = self.page.csrf_token or a.get("content")
        elif tag == "form":
            action = urljoin(self.url, a.get("action") or self.url)
            parts = urlsplit(action)
            self.form = HtmlForm(self.url, parts.path + (f"?{parts.query}" if parts.query else ""),
                                 a.get("method", "get").lower())
            self.page.forms.append(self.form)
        elif self.form is not None:
            self._control(tag, a)

    def _control(self, tag: str, a: dict[str, str]) -> None:
        name, kind = a.get("name"), a.get("type", "text").lower()
        if tag == "option" and self.select is not None:
            self.option = [a.get("value"), "selected" in a, ""]
            self.select[1].append(self.option)
        if not name or tag not in ("input", "textarea", "select", "button"):
            return
        if tag == "button" or kind in ("submit", "image"):
            if kind != "button":
                self.form.submit_labels[name] = a.get("value", "")
                self._add(HtmlField(name, "submit", a.get("value", ""), self.hidden))
            return
        if name == CSRF_FIELD and not self.page.csrf_token:
            self.page.csrf_token = a.get("value")
        value: str | None = a.get("value", "")
        if kind in ("checkbox", "radio"):
            value = a.get("value", "on") if "checked" in a else None
        hidden = self.hidden or kind == "hidden" or a.get("aria-hidden") == "true"
        control = HtmlField(name, tag if tag != "input" else kind, value, hidden,
                            a.get("value", "on") if kind == "checkbox" else None)
        self._add(control)
        if tag == "textarea":
            self.textarea, control.value = control, ""
        elif tag == "select":
            self.select = (control, [])

    def _add(self, control: HtmlField) -> None:
        self.form.fields.setdefault(control.name, control)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data
        elif self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            text = self.textarea.value  # a browser drops one newline after <textarea>
            self.textarea.value = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.textarea = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            control, options = self.select
            values = [value if value is not None else text.strip() for value, _s, text in options]
            chosen = [value for value, option in zip(values, options, strict=True) if option[1]]
            control.value = (chosen or values or [""])[0]
            self.select = None
        elif tag == "form":
            self.form = None
        if any(open_tag == tag for open_tag, _hides in self.open):
            while self.open.pop()[0] != tag:
                pass


def parse_page(html: str, url: str) -> Page:
    """The links, forms and CSRF token of an HTML page found at `url` (path and query)."""
    parser = _Parser(url)
    parser.feed(html)
    parser.close()
    return parser.page


def invalid_fields(html: str) -> set[str]:
    """Names of the controls a refused form marks aria-invalid (a quick scan: refused pages
    can be long, and user text in them is escaped, so it cannot look like a control)."""
    return {match.group(1) for tag in _INVALID.findall(html) if (match := _NAME.search(tag))}
