"""Debian's headless Chromium, driven from its command line: the rendered DOM of a page
(``--dump-dom``) and a screenshot; and what the tests read from that DOM."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: the names Debian's package and other distributions give the browser
BINARIES = ("chromium", "chromium-browser")


def find_chromium() -> str | None:
    for name in BINARIES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(binary: str, profile: Path, *args: str) -> str:
    command = [
        binary,
        "--headless",
        "--no-sandbox",  # root in containers and CI; the pages are our own, served locally
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        f"--user-data-dir={profile}",
        *args,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"chromium exited {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stdout


def dump_dom(binary: str, profile: Path, url: str) -> str:
    """The page's DOM after loading and running its scripts, serialised as HTML."""
    return _run(binary, profile, "--virtual-time-budget=3000", "--dump-dom", url)


def screenshot(binary: str, profile: Path, url: str, out: Path, size: tuple[int, int]) -> None:
    width, height = size
    _run(binary, profile, f"--window-size={width},{height}", f"--screenshot={out}", url)
    if not out.is_file():
        raise AssertionError(f"chromium wrote no screenshot to {out}")


@dataclass
class Page:
    """What a reader sees of a page, as far as the tests look."""

    lang: str = ""
    title: str = ""
    h1: str = ""
    code_blocks: int = 0
    nav_links: list[str] = field(default_factory=list)
    article_text: str = ""


def _is_nav_entry(tag: str, classes: str | None) -> bool:
    """A link of the navigation, or the title of a section without a page of its own."""
    return tag == "a" or (tag == "label" and "md-nav__link" in (classes or "").split())


class _PageReader(HTMLParser):
    """Fills a :class:`Page` from a Material for MkDocs page: the article is the content, the
    primary ``nav`` the site navigation (nested elements counted by their own tag only)."""

    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._article = 0
        self._nav = 0
        self._capture: str | None = None  # "title", "h1" or "link" while inside one
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "html":
            self.page.lang = attr.get("lang") or ""
        elif tag == "title":
            self._start("title")
        elif tag == "article":
            self._article += 1
        elif tag == "nav" and (self._nav or "md-nav--primary" in (attr.get("class") or "")):
            self._nav += 1
        elif tag == "h1" and self._article:
            self._start("h1")
        elif tag == "pre" and self._article:
            self.page.code_blocks += 1
        elif self._nav and self._capture is None and _is_nav_entry(tag, attr.get("class")):
            self._start("link")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self._article:
            self._article -= 1
        elif tag == "nav" and self._nav:
            self._nav -= 1
        elif (tag, self._capture) in {("title", "title"), ("h1", "h1")} or (
            self._capture == "link" and tag in ("a", "label")
        ):
            self._finish()

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)
        if self._article:
            self.page.article_text += data

    def _start(self, what: str) -> None:
        self._capture, self._text = what, []

    def _finish(self) -> None:
        text = " ".join("".join(self._text).split())
        if self._capture == "title":
            self.page.title = text
        elif self._capture == "h1":
            self.page.h1 = text.rstrip("¶").strip()
        elif text:
            self.page.nav_links.append(text)
        self._capture = None


def read_page(dom: str) -> Page:
    reader = _PageReader()
    reader.feed(dom)
    reader.close()
    return reader.page
