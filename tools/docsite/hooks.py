"""MkDocs hooks (``hooks:`` in mkdocs.yml): add the pages generated from the code to the site.

The generated pages exist only in the build, never in ``docs/``: the CLI reference from the real
argument parser, the known differences from the conformance suite's list."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # MkDocs loads this file by path; the generators import the repo
    sys.path.insert(0, str(REPO))

from tools.docsite import cli_page, differences_page  # noqa: E402

#: generated page (path under docs/) -> the function that writes its Markdown
GENERATED: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_page.render,
    "reference/known-differences.md": differences_page.render,
}


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    for src_uri, render in GENERATED.items():
        if files.get_file_from_path(src_uri) is not None:
            raise ValueError(f"docs/{src_uri} is generated at build time; remove the file")
        files.append(File.generated(config, src_uri, content=render()))
    return files
