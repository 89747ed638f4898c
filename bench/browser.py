"""What a browser does, done with urllib: log in, read CSRF tokens, follow links."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar

from wrk import USER_AGENT

SEED_PASSWORD = "seed-password"  # ideaboard/seeding.py
_CSRF = (re.compile(r'<meta name="csrf-token" content="([^"]+)"'),
         re.compile(r'name="csrf_token"[^>]*value="([^"]+)"'))
_NEXT = re.compile(r'<a href="([^"]+)" rel="next"')
_IDEA_LINK = re.compile(r'href="/ideas/(\d+)[-"]')


@dataclass(frozen=True)
class Member:
    """A signed-in member: the Cookie header value and the page's CSRF token."""

    id: int
    cookie: str
    csrf_token: str


class Browser:
    """One visitor or member: a cookie jar and the site's base URL."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """GET (or POST `form`), following redirects: status, final URL, body."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def get(self, path: str) -> str:
        """The page's HTML; anything but 200 raises."""
        status, _, body = self.open(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return body

    def cookie_header(self) -> str:
        """Every cookie the site set, as one Cookie header value."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


def csrf_token(page: str) -> str:
    """The CSRF token of a page: its <meta name="csrf-token">, else a hidden csrf_token input."""
    for pattern in _CSRF:
        if found := pattern.search(page):
            return html.unescape(found.group(1))
    raise RuntimeError("no CSRF token on the page")


def log_in(base: str, user_id: int, email: str, password: str = SEED_PASSWORD) -> Member:
    """Log in through the form, then read the token from the board as the member sees it."""
    browser = Browser(base)
    token = csrf_token(browser.get("/login"))
    status, url, _ = browser.open("/login", {"email": email, "password": password,
                                             "csrf_token": token})
    if status != 200 or urllib.parse.urlparse(url).path == "/login":
        raise RuntimeError(f"logging in {email} failed (answer {status} at {url})")
    token = csrf_token(browser.get("/"))
    return Member(user_id, browser.cookie_header(), token)


def page_path(base: str, sort: str, page: int) -> str | None:
    """The path of page `page` of `/?sort=<sort>`, reached by following rel="next" links."""
    browser = Browser(base)
    path = f"/?sort={sort}"
    for _ in range(page - 1):
        found = _NEXT.search(browser.get(path))
        if found is None:
            return None  # the board has fewer pages
        path = html.unescape(found.group(1))
    return path


_PROFILE_LINK = re.compile(r'href="/members/\d+')


def first_idea_path(base: str, list_path: str = "/?sort=top") -> str | None:
    """The canonical path of the first idea on a list (following /ideas/<id>'s redirect)."""
    browser = Browser(base)
    found = _IDEA_LINK.search(browser.get(list_path))
    if found is None:
        return None
    status, url, _ = browser.open(f"/ideas/{found.group(1)}")
    return urllib.parse.urlparse(url).path if status == 200 else None


def first_author_path(base: str, list_path: str = "/?sort=top") -> str | None:
    """The profile of the first idea's author on a list (the link on the idea's page)."""
    idea = first_idea_path(base, list_path)
    found = _PROFILE_LINK.search(Browser(base).get(idea)) if idea else None
    return found.group(0)[len('href="'):] if found else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None  # a 3xx comes back as an HTTPError, as it is


def probe(base: str, path: str, headers: tuple[str, ...] = ()) -> tuple[int, str]:
    """One GET as wrk will send it, redirects not followed: status and body."""
    request = urllib.request.Request(
        base + path, headers={"User-Agent": USER_AGENT, **dict(h.split(": ", 1) for h in headers)})
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
