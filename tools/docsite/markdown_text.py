"""Text from the code (help strings, reasons) made safe for Markdown."""

from __future__ import annotations

import html


def inline(text: str) -> str:
    """``text`` on one line, with HTML and emphasis characters escaped outside its `code`
    spans (the spans are kept as code)."""
    parts = " ".join(text.split()).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code span at all
        parts = ["`".join(parts)]
    for index in range(0, len(parts), 2):
        plain = html.escape(parts[index], quote=False)
        parts[index] = plain.replace("*", "\\*").replace("_", "\\_")
    return "`".join(parts)


def cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell."""
    return inline(text).replace("|", "\\|")
