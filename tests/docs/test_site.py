"""The documentation site: the strict build, its pages opened in a real headless Chromium, and
the pages generated from the code compared with the code (not with a copied list)."""

from __future__ import annotations

import argparse
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from sterna.cli import build_parser
from tests.conformance import known_differences
from tests.conftest import REPO
from tests.docs import _png
from tests.docs._browser import Page, dump_dom, read_page, screenshot

CJK = re.compile(r"[\u4e00-\u9fff]")
#: page (source under docs/) -> the language its <html lang> must start with
PAGES = {"quickstart.md": "en", "zh/quickstart.md": "zh", "index.md": "en", "zh/index.md": "zh"}
SCREENSHOT_SIZE = (1000, 700)


def _url(site_url: str, source: str) -> str:
    """The address MkDocs gives the page built from ``docs/<source>`` (directory URLs)."""
    stem = source.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
    else:
        stem += "/"
    return site_url + stem


def _nav() -> list[Any]:
    """mkdocs.yml's nav, read by MkDocs itself."""
    from mkdocs.config import load_config

    nav: list[Any] = load_config(str(REPO / "mkdocs.yml"))["nav"]
    return nav


def _nav_titles() -> list[str]:
    """The titles of the top-level entries of the nav."""
    titles: list[str] = []
    for entry in _nav():
        assert isinstance(entry, dict), f"top-level nav entry without a title: {entry}"
        titles += [str(title) for title in entry]
    return titles


def _nav_title(source: str, entries: list[Any]) -> str | None:
    """The title the nav gives the page ``source`` (None: the page's own heading)."""
    for entry in entries:
        items = entry.items() if isinstance(entry, dict) else [(None, entry)]
        for title, target in items:
            if target == source:
                return None if title is None else str(title)
            if isinstance(target, list) and (found := _nav_title(source, target)):
                return found
    return None


def _title(source: str) -> str:
    """The <title> MkDocs Material gives the page: the site's name alone on the home page."""
    if source == "index.md":
        return "Sterna"
    return f"{_nav_title(source, _nav()) or _heading(source)} - Sterna"


def _fenced_blocks(source: str) -> int:
    text = (REPO / "docs" / source).read_text(encoding="utf-8")
    fences = [line for line in text.splitlines() if re.match(r"\s*(```|~~~)", line)]
    return len(fences) // 2


def _heading(source: str) -> str:
    """The page's first Markdown heading as plain text."""
    text = (REPO / "docs" / source).read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("# "))
    return first[2:].replace("`", "").strip()


def _open(chromium: str, tmp_path: Path, url: str) -> Page:
    return read_page(dump_dom(chromium, tmp_path / "profile", url))


def test_strict_build_succeeds(site_build: tuple[Path, str]) -> None:
    site, log = site_build
    assert "WARNING" not in log
    for source in PAGES:
        assert (site / _url("", source) / "index.html").is_file(), source
    assert (site / "reference/cli/index.html").is_file()


@pytest.mark.parametrize("source", list(PAGES))
def test_page_renders_in_chromium(
    source: str, site_url: str, chromium: str, tmp_path: Path
) -> None:
    page = _open(chromium, tmp_path, _url(site_url, source))
    assert page.lang.split("-")[0] == PAGES[source], page.lang
    assert page.h1 == _heading(source)
    assert page.title == _title(source)
    assert page.code_blocks == _fenced_blocks(source)
    # a quickstart is mostly commands and their output
    assert page.code_blocks >= (10 if source.endswith("quickstart.md") else 1)
    missing = [title for title in _nav_titles() if title not in page.nav_links]
    assert not missing, f"navigation lacks {missing}; it has {page.nav_links}"
    chinese = len(CJK.findall(page.article_text))
    assert chinese >= 2 if PAGES[source] == "zh" else chinese < len(page.article_text) / 20


def test_screenshot_of_chinese_home(site_url: str, chromium: str, tmp_path: Path) -> None:
    out = tmp_path / "zh-index.png"
    screenshot(chromium, tmp_path / "profile", _url(site_url, "zh/index.md"), out, SCREENSHOT_SIZE)
    width, height, colours = _png.read(out.read_bytes())
    assert (width, height) == SCREENSHOT_SIZE
    assert len(colours) > 16, f"a blank page: {len(colours)} colours"


def _verb_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser("sterna")
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(subparsers) == 1
    return dict(subparsers[0].choices)


def test_cli_reference_lists_every_verb_and_option(site: Path) -> None:
    html = (site / "reference/cli/index.html").read_text(encoding="utf-8")
    headings = set(re.findall(r'<h2 id="([^"]+)"', html))
    verbs = _verb_parsers()
    assert set(verbs) <= headings, sorted(set(verbs) - headings)
    for name, sub in verbs.items():
        section = html.split(f'<h2 id="{name}"', 1)[1].split("<h2", 1)[0]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):  # said once, at the top of the page
                assert all(flag in html for flag in action.option_strings)
                continue
            for flag in action.option_strings:
                assert flag in section, f"{name}: {flag}"
            if not action.option_strings:
                assert action.dest in section, f"{name}: {action.dest}"


def test_known_differences_page_lists_every_entry(site: Path) -> None:
    html = (site / "reference/known-differences/index.html").read_text(encoding="utf-8")
    for entry in known_differences.KNOWN:
        section = html.split(f'<h3 id="{entry.key}"', 1)[1].split("<h", 1)[0]
        shown = " ".join(unescape(re.sub(r"<[^>]+>", "", section)).split())
        assert " ".join(entry.reason.replace("`", "").split()) in shown, entry.key
    for name in known_differences.API_INTERNALS:
        assert f"<code>{name}</code>" in html, name
