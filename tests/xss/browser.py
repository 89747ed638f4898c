"""The browser side: hooks installed before any page script runs, and a check of each page
once it has loaded. A page passes when nothing planted ran (no dialog, no hooked call, no
script error, no navigation away, no pop-up) and nothing dangerous is left in it: no event
handler attribute, no javascript:, vbscript: or data: URL, no script but the app's own
from /static/, no frame, object, embed, base or meta refresh."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Dialog, Error, Frame, Page

# Chromium can refuse a navigation with net::ERR_INSUFFICIENT_RESOURCES late in a long run
# (the whole list opens thousands of pages), the more so on a loaded machine: each browser
# context loads a bounded number of pages, and a refused page is tried again in a fresh one.
PAGES_PER_CONTEXT = 500
RETRIES = 2
RETRY_PAUSE_MS = 2000

MARK = "xss-hook-called"

# Runs in every frame before the page's own scripts: any call of these records a marker.
INIT_SCRIPT = """(() => {
  const MARK = "@MARK@";
  const say = console.log.bind(console);
  const record = (name, args) => {
    let where = "";
    try { where = String(new Error().stack).split("\\n").slice(2, 4).join(" | "); } catch (e) {}
    let said = "";
    try { said = Array.from(args, String).join(", ").slice(0, 80); } catch (e) {}
    const entry = name + "(" + said + ") " + where;
    try { (window.__xssCalls = window.__xssCalls || []).push(entry); } catch (e) {}
    say(MARK + " " + entry);
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    try { window[name] = function () { record(name, arguments); }; } catch (e) {}
  }
  for (const name of ["log", "info", "warn", "error", "debug", "trace", "dir", "table"]) {
    try { console[name] = function () { record("console." + name, arguments); }; } catch (e) {}
  }
})();""".replace("@MARK@", MARK)

CHECK = r"""async () => {
  // Let handlers queued by the load (focus, a failed image, a timer set to 0) run first.
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  const SCHEME = /^(?:javascript|vbscript|data):/i;
  const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "data", "poster",
    "background", "codebase", "cite", "dynsrc", "lowsrc", "ping", "manifest", "icon",
    "longdesc", "usemap", "archive", "classid", "profile"]);
  const ANIMATION = new Set(["set", "animate"]);  // <set attributeName=href to="javascript:">
  const FORBIDDEN = new Set(["iframe", "frame", "frameset", "object", "embed", "applet",
    "base", "portal", "fencedframe"]);
  const RESOLVED = ["href", "src", "action", "formAction", "data"];
  const LABEL = /xss-[a-z]+-[a-z_]+-(\d+)/g;
  // As browsers parse URLs: tabs and newlines dropped, control characters and spaces trimmed.
  const asUrl = v => String(v).replace(/[\t\n\r]/g, "").replace(/^[\0- ]+|[\0- ]+$/g, "");
  const dangerous = v => SCHEME.test(asUrl(v));
  const findings = [], texts = new Set();
  let label = null;  // the last pack label seen, and the block holding its pack
  const caseOf = el => label && label.block && label.block.contains(el) ? label.case : null;
  const report = (el, kind, what, tokens) => findings.push({
    kind, case: caseOf(el), tokens: [el.localName, ...(tokens || [])],
    detail: what + " in " + (el.outerHTML || el.nodeName).replace(/\s+/g, " ").slice(0, 240)});

  const ownScript = el => {
    const src = el.getAttribute("src") || el.getAttribute("href") || el.getAttribute("xlink:href");
    if (!src) return false;
    try {
      const url = new URL(src, document.baseURI);
      return url.origin === location.origin && url.pathname.startsWith("/static/");
    } catch (e) { return false; }
  };
  const urlAttribute = (el, name) => URL_ATTRIBUTES.has(name) || name.endsWith(":href")
    || name === "srcset" || (ANIMATION.has(el.localName.toLowerCase())
                             && ["to", "from", "values", "by"].includes(name));
  const checkElement = el => {
    const tag = el.localName.toLowerCase();
    if (FORBIDDEN.has(tag)) report(el, "forbidden element", "<" + tag + ">");
    if (tag === "meta" && /refresh/i.test(el.getAttribute("http-equiv") || ""))
      report(el, "forbidden element", "meta refresh");
    if (tag === "script" && !ownScript(el))
      report(el, "script", "a script not from /static/", [el.textContent.trim().slice(0, 40)]);
    const bad = new Set();
    for (const attribute of Array.from(el.attributes)) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on"))
        report(el, "event handler", name, [name, attribute.value.trim().slice(0, 40)]);
      const values = name === "srcset" || name === "values"
        ? attribute.value.split(/[,;]/).map(part => part.trim().split(/\s+/)[0])
        : [attribute.value];
      if (urlAttribute(el, name) && values.some(dangerous)) bad.add(name);
    }
    for (const property of RESOLVED) {
      let value = el[property];
      if (value && typeof value === "object" && "baseVal" in value) value = value.baseVal;
      if (typeof value === "string" && dangerous(value)) bad.add("." + property);
    }
    const values = Array.from(bad).filter(name => !name.startsWith("."))
      .map(name => el.getAttribute(name).trim().slice(0, 40));
    if (bad.size) report(el, "dangerous URL", Array.from(bad).join(", "), values);
  };

  const walker = document.createTreeWalker(document,
                                           NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.data.trim();
      if (text) texts.add(text);
      for (const match of node.data.matchAll(LABEL)) {
        label = {case: Number(match[1]), block: node.parentElement?.parentElement};
      }
    } else {
      checkElement(node);
    }
  }
  const next = document.querySelector("a[rel~=next]");
  return {findings, texts: Array.from(texts), calls: window.__xssCalls || [],
          next: next ? next.href : null};
}"""

# Chromium shows an Atom feed as plain text, so the check reads it as a feed reader would: the
# XML must parse with nothing but Atom elements in it (escaping held), then each entry is laid
# out in the page, its html content as HTML, ready for CHECK.
READ_FEED = r"""source => {
  const ATOM = "http://www.w3.org/2005/Atom";
  const feed = new DOMParser().parseFromString(source, "application/xml");
  const problems = Array.from(feed.getElementsByTagName("parsererror"),
    error => "the feed is not well-formed XML: " + error.textContent.slice(0, 200));
  for (const el of feed.getElementsByTagName("*")) {
    if (el.namespaceURI !== ATOM && el.localName !== "parsererror")
      problems.push("markup in the feed: " + el.outerHTML.slice(0, 200));
  }
  document.body.replaceChildren();
  for (const entry of feed.getElementsByTagNameNS(ATOM, "entry")) {
    const article = document.createElement("article");
    for (const part of entry.children) {
      const box = document.createElement(part.localName === "link" ? "a" : "div");
      if (part.localName === "link") box.setAttribute("href", part.getAttribute("href"));
      if (part.getAttribute("type") === "html") box.innerHTML = part.textContent;
      else box.textContent = part.textContent;
      article.append(box);
    }
    document.body.append(article);
  }
  return problems;
}"""


@dataclass(frozen=True)
class Finding:
    """Something planted that ran, or dangerous markup left in a page."""

    page: str
    kind: str
    detail: str
    case: int | None = None  # the pack label before it, in the same block of the page
    tokens: tuple[str, ...] = ()  # its tag, attribute and value: what the payload must hold


@dataclass
class PageReport:
    """What one page did and showed, and its "Next page" link if any."""

    url: str
    findings: list[Finding]
    texts: list[str]
    next_page: str | None


@dataclass(eq=False)
class Inspector:
    """A page in its own browser context (one role) that opens URLs and reports what each
    one did; the hooks are in place before any page script runs. Every PAGES_PER_CONTEXT
    pages it moves to a fresh context, taking its cookies along."""

    new_page: Callable[[], Page]
    page: Page = field(init=False)
    opened: int = 0  # pages opened in the current context
    events: list[tuple[str, str]] = field(default_factory=list)
    loaded: bool = False

    def __post_init__(self) -> None:
        self._fresh_context()

    def _fresh_context(self) -> None:
        old = getattr(self, "page", None)
        self.page, self.opened = self.new_page(), 0
        self.page.context.add_init_script(INIT_SCRIPT)
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.events.append(("page error", str(error))))
        self.page.on("popup", lambda popup: self.events.append(("pop-up", popup.url)))
        self.page.on("framenavigated", self._navigated)
        if old is not None:
            if cookies := old.context.cookies():
                self.page.context.add_cookies(cookies)
            old.context.close()

    def _dialog(self, dialog: Dialog) -> None:
        self.events.append(("dialog", f"{dialog.type}: {dialog.message}"))
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if MARK in message.text:
            self.events.append(("script ran", message.text.removeprefix(MARK).strip()))

    def _navigated(self, frame: Frame) -> None:
        if self.loaded and frame == self.page.main_frame:
            self.events.append(("navigated away", frame.url))

    def _goto(self, url: str):
        """page.goto, in a fresh context when the context has loaded its share of pages, and
        tried again (after a pause, in a fresh context) if Chromium itself ran short: what is
        checked is the page, not the browser's limits."""
        if self.opened >= PAGES_PER_CONTEXT:
            self._fresh_context()
        self.opened += 1
        for attempt in range(RETRIES + 1):
            try:
                return self.page.goto(url)
            except Error as error:
                if "ERR_INSUFFICIENT_RESOURCES" not in str(error) or attempt == RETRIES:
                    raise
                self.page.wait_for_timeout(RETRY_PAUSE_MS)
                self._fresh_context()

    def open(self, url: str) -> PageReport:
        """Load `url` (it must answer 200), let queued handlers run, and check the page."""
        self.events.clear()
        self.loaded = False
        response = self._goto(url)
        status = response.status if response else None
        assert status == 200, f"{url} answered {status}"
        self.loaded = True
        try:
            if "xml" in response.headers.get("content-type", ""):
                source = self.page.context.request.get(url).text()
                for problem in self.page.evaluate(READ_FEED, source):
                    self.events.append(("feed", problem))
            result = self.page.evaluate(CHECK)
        except Error as error:  # the page went somewhere else under the check
            self.events.append(("check interrupted", str(error).splitlines()[0]))
            result = {"findings": [], "texts": [], "calls": [], "next": None}
        self.loaded = False
        findings = [Finding(url, f["kind"], f["detail"], f["case"], tuple(f["tokens"]))
                    for f in result["findings"]]
        ran = {*self.events, *(("script ran", call) for call in result["calls"])}
        findings += [Finding(url, kind, detail) for kind, detail in sorted(ran)]
        return PageReport(url, findings, result["texts"], result["next"])

    def use_session(self, base_url: str, name: str, value: str | None) -> None:
        """Browse as the account whose session cookie this is (or as nobody)."""
        self.page.context.clear_cookies()
        if value:
            self.page.context.add_cookies([{"name": name, "value": value, "url": base_url}])
