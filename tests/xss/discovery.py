"""The app's forms, found rather than listed: every FlaskForm in the ideaboard package, the
fields a person types free text into, and the page where each role finds each form."""

from __future__ import annotations

import importlib
import pkgutil
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import ideaboard
from tests.xss.html import CSRF_FIELD, HtmlForm, parse_page

ROLES = ("visitor", "member", "caretaker")  # least privileged first
CRAWL_LIMIT = 60  # pages per role


@dataclass(frozen=True)
class FreeField:
    """A field a person types free text into, with the limits and filters its form applies."""

    form: str
    name: str
    multiline: bool
    max_length: int | None
    filters: tuple[Callable, ...]

    @property
    def key(self) -> str:
        """Form.field, as the figures and the pack labels name it."""
        return f"{self.form}.{self.name}"

    def fit(self, value: str) -> str:
        """A one-line value cut to the field's maximum length."""
        return value[: self.max_length] if self.max_length else value

    def as_stored(self, value: str) -> str:
        """The value after the form's own filters: what the pages will show."""
        return reduce(lambda data, apply: apply(data), self.filters, value)


def form_classes() -> list[type[FlaskForm]]:
    """Every FlaskForm subclass defined in the ideaboard package, all its modules imported,
    but a base without fields of its own (ideaboard.forms.Form): no page renders that."""
    for module in pkgutil.walk_packages(ideaboard.__path__, "ideaboard."):
        importlib.import_module(module.name)
    found: dict[str, type[FlaskForm]] = {}
    todo = list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("ideaboard."):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)
            if unbound_fields(found[name]) or not found[name].__subclasses__()]


def unbound_fields(cls: type[FlaskForm]) -> dict[str, UnboundField]:
    """The form's declared fields by name, in declaration order."""
    fields = {name: getattr(cls, name, None) for name in dir(cls)}
    fields = {name: f for name, f in fields.items() if isinstance(f, UnboundField)}
    return dict(sorted(fields.items(), key=lambda item: item[1].creation_counter))


def free_text_fields(cls: type[FlaskForm]) -> list[FreeField]:
    """String, text-area and e-mail fields; never passwords or hidden fields."""
    return [
        FreeField(cls.__name__, name, issubclass(f.field_class, TextAreaField),
                  _max_length(f), tuple(f.kwargs.get("filters", ())))
        for name, f in unbound_fields(cls).items()
        if issubclass(f.field_class, StringField)
        and not issubclass(f.field_class, PasswordField | HiddenField)
    ]


def _max_length(unbound: UnboundField) -> int | None:
    """The longest value the field's Length validators allow (None: no limit)."""
    limits = [v.max for v in unbound.kwargs.get("validators", ()) if isinstance(v, Length)]
    return min((limit for limit in limits if limit >= 0), default=None)


def _submit_labels(cls: type[FlaskForm]) -> dict[str, str]:
    """The form's submit buttons by name, with their labels."""
    return {name: f.args[0] if f.args else f.kwargs.get("label", "")
            for name, f in unbound_fields(cls).items() if issubclass(f.field_class, SubmitField)}


def matching_class(form: HtmlForm, classes: Iterable[type[FlaskForm]]) -> type[FlaskForm] | None:
    """The form class with exactly this form's field names, less those a page shows only
    when needed (its submit label breaks ties)."""
    names = set(form.fields) - {CSRF_FIELD}
    same = [cls for cls in classes
            if set(unbound_fields(cls)) - set(getattr(cls, "shown_when_needed", ())) <= names
            <= set(unbound_fields(cls))]
    if len(same) > 1:
        same = [cls for cls in same if _submit_labels(cls).items() <= form.submit_labels.items()]
    assert len(same) <= 1, f"{form.action}: cannot tell {[c.__name__ for c in same]} apart"
    return same[0] if same else None


@dataclass
class Crawl:
    """What one role reached from the home page: its pages, and the forms on them."""

    role: str
    pages: list[str] = field(default_factory=list)  # final URLs (path and query)
    forms: list[HtmlForm] = field(default_factory=list)


def crawl(client: FlaskClient, role: str, start: str = "/", limit: int = CRAWL_LIMIT) -> Crawl:
    """Follow same-site links breadth first from `start` (each path once, at most `limit`),
    keeping every page that answers 200 and the forms on the HTML ones."""
    result, seen, reached, queue = Crawl(role), set(), set(), deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue
        if parts.path in seen or parts.path.startswith("/static/"):
            continue
        seen.add(parts.path)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""),
                              follow_redirects=True)
        response.close()  # a streamed download (CSV) holds its request until closed
        final = response.request.full_path.rstrip("?")
        if response.status_code != 200 or urlsplit(final).path in reached:
            continue
        reached.add(urlsplit(final).path)
        if not _shown_in_a_browser(response.mimetype):
            continue  # a download (CSV, iCalendar): the browser would save it, not show it
        result.pages.append(final)
        if response.mimetype == "text/html":
            page = parse_page(response.get_data(as_text=True), final)
            result.forms.extend(page.forms)
            queue.extend(urljoin(final, href) for href in page.links)
    return result


def _shown_in_a_browser(mimetype: str) -> bool:
    return mimetype == "text/html" or mimetype.endswith("xml")


@dataclass(frozen=True)
class FormSite:
    """Where a role finds a form class: the page, and the form as that page renders it."""

    form_class: type[FlaskForm]
    role: str
    form: HtmlForm

    @property
    def typeable(self) -> list[FreeField]:
        """The free-text fields a person can type into (not honeypots hidden from people)."""
        return [f for f in free_text_fields(self.form_class)
                if not self.form.fields[f.name].hidden_from_people]


def form_sites(crawls: Iterable[Crawl]) -> dict[type[FlaskForm], FormSite]:
    """For each form class found on a page, the least privileged role that finds it."""
    classes, sites = form_classes(), {}
    for result in sorted(crawls, key=lambda c: ROLES.index(c.role)):
        for form in result.forms:
            cls = matching_class(form, classes)
            if cls is not None and cls not in sites:
                sites[cls] = FormSite(cls, result.role, form)
    return sites


def classes_with_free_text() -> list[type[FlaskForm]]:
    """The form classes a person can type free text into: each must be found on a page."""
    return [cls for cls in form_classes() if free_text_fields(cls)]
