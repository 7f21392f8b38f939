"""Look at rendered cards the way a phone shows them: Debian's Chromium, driven by Playwright.

Each client (Anki desktop, AnkiDroid, AnkiMobile) puts the card's HTML and
the note type's CSS into its own page, with its own classes on ``<html>`` and
``<body>`` and its own night-mode rule (see docs/mobile-cards.md). A
:class:`Phone` opens one such page per client and mode at 390×844 and swaps
each card in, as the desktop reviewer does, then measures what a person would
notice: a page that scrolls sideways, text that is hard to read, anything
fetched from outside.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 390, "height": 844}
ORIGIN = "http://card.invalid"
"""The clients serve the card page and its media from a local origin; so do we."""
MIN_CONTRAST = 4.5
"""WCAG 2 AA for normal text."""


@dataclass(frozen=True)
class Client:
    """What one client puts around a card."""

    name: str
    html_class: str
    html_class_night: str
    body_class_night: str
    numbered_body: bool
    """Whether ``<body>`` carries ``cardN`` besides ``card``."""
    css: str
    """The client's own rules that reach the card."""


CLIENTS = (
    Client("desktop", "linux chrome", "linux chrome night-mode", "nightMode night_mode", True,
           "body.nightMode { background: #2c2c2c; color: #fcfcfc; }"),
    Client("ankidroid", "mobile android linux js", "mobile android linux js", "night_mode nightMode", True,
           "body.night_mode { color: white; background: black; }"),
    Client("ankimobile", "mobile iphone", "mobile iphone", "nightMode", False,
           "body.nightMode { background: #2c2c2c; color: #fcfcfc; }"),
)
MODES = ("day", "night")


@dataclass(frozen=True)
class Measure:
    """What one card side looked like."""

    scroll_width: int
    """The page's width (``document.documentElement.scrollWidth``)."""
    viewport_width: int
    """The phone's layout viewport (``document.documentElement.clientWidth``). Not
    ``innerWidth``: with mobile emulation Chromium widens ``innerWidth`` to fit
    an overflowing page (as phones zoom out), so comparing with it never fails."""
    texts: int
    """How many text-bearing elements were checked for contrast."""
    low_contrast: tuple[str, ...]
    requests: tuple[str, ...]
    """Every request the card made that did not stay on the card's own media."""

    @property
    def overflows(self) -> bool:
        return self.scroll_width > self.viewport_width


def _page(client: Client, night: bool) -> str:
    html_class = client.html_class_night if night else client.html_class
    return (
        f'<!DOCTYPE html><html class="{html_class}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{client.css}</style></head><body class=\"card\"></body></html>"
    )


def body_class(client: Client, night: bool, ord_: int) -> str:
    classes = ["card"] + ([f"card{ord_ + 1}"] if client.numbered_body else [])
    return " ".join(classes + (client.body_class_night.split() if night else []))


class Phone:
    """One page per client and mode, reused for every card (fast: no navigation per card)."""

    def __init__(self, browser, client: Client, night: bool, media: Mapping[str, Path]) -> None:  # noqa: ANN001
        self.client, self.night = client, night
        self.media = dict(media)
        self.context = browser.new_context(
            viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, java_script_enabled=True
        )
        self.requests: list[str] = []
        self.context.route("**/*", self._serve)
        self.page = self.context.new_page()
        self._shell = _page(client, night)
        self.page.goto(f"{ORIGIN}/card.html")
        self.requests.clear()

    def _serve(self, route) -> None:  # noqa: ANN001
        url = route.request.url
        parts = urlsplit(url)
        name = unquote(parts.path.lstrip("/"))
        if url.startswith(ORIGIN + "/") and name == "card.html":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self._shell)
            return
        if url.startswith(ORIGIN + "/") and name in self.media:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            route.fulfill(status=200, content_type=kind, body=self.media[name].read_bytes())
            return
        self.requests.append(url)
        route.abort()

    def show(self, html: str, css: str, ord_: int) -> Measure:
        """Put one card side on the page, as the client would, and measure it."""
        self.requests.clear()
        content = f"<style>{css}</style>{html}"
        data = self.page.evaluate(_MEASURE, [body_class(self.client, self.night, ord_), content, MIN_CONTRAST])
        leaks = tuple(u for u in self.requests if not _local_media(u, self.media))
        return Measure(
            scroll_width=data["scrollWidth"],
            viewport_width=data["viewportWidth"],
            texts=data["texts"],
            low_contrast=tuple(json.dumps(x, ensure_ascii=False) for x in data["low"]),
            requests=leaks,
        )

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)

    def close(self) -> None:
        self.context.close()


def _local_media(url: str, media: Mapping[str, Path]) -> bool:
    return url.startswith(ORIGIN + "/") and unquote(urlsplit(url).path.lstrip("/")) in media


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium under Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Swap the card in, wait for its images, then measure. Contrast is the WCAG
# ratio of each text's computed colour against the background it is actually
# drawn on (the nearest backgrounds up the tree, composited); generated text
# (::before/::after: ✓, ▶, option letters) is checked too.
_MEASURE = """
async ([bodyClass, content, minimum]) => {
  document.body.className = bodyClass;
  document.body.innerHTML = content;
  await Promise.all([...document.images].map(img => img.complete ? null :
    new Promise(done => { img.onload = done; img.onerror = done; })));
  const parse = (s) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(s);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const backdrop = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255, 1];
    for (const c of layers.reverse()) base = over(c, base);
    return base;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const low = [];
  let texts = 0;
  const check = (el, style, what) => {
    texts += 1;
    const bg = backdrop(el);
    const fg = parse(style.color);
    if (!fg) { low.push({text: what, color: style.color, problem: "unreadable colour"}); return; }
    const r = ratio(over(fg, bg), bg);
    if (r < minimum) low.push({text: what.slice(0, 40), ratio: Math.round(r * 100) / 100, color: style.color,
      background: "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")"});
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el) || el.closest("style, script")) continue;
    seen.add(el);
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!rect.width || !rect.height || style.visibility === "hidden") continue;
    check(el, style, n.textContent.trim());
  }
  for (const el of document.body.querySelectorAll("*")) {
    for (const pseudo of ["::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      const c = style.content;
      if (!c || c === "none" || c === "normal" || c === '""' || style.display === "none") continue;
      check(el, style, pseudo + " " + c);
    }
  }
  const root = document.documentElement;
  return {scrollWidth: root.scrollWidth, viewportWidth: root.clientWidth, texts, low};
}
"""
