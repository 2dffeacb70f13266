"""Which ``alembic.*`` names are public: read from the sdist's API documentation.

A name is public when Alembic documents it (``automodule`` with all members, ``autoclass``,
``autofunction``, ``:members: A, B`` in ``docs/build/**/*.rst``), when it is an attribute of
``alembic.op`` / ``alembic.context`` (the proxies scripts use), or when a real package imports it
(``tests/conformance/ecosystem_names.json``, part 1 of issue 12).  Anything else, and any name
with a component starting with ``_``, is internal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

_DIRECTIVE = re.compile(r"^\.\. (automodule|autoclass|autofunction|currentmodule|module)::\s*(\S+)")
_MEMBERS = re.compile(r"^\s+:members:\s*(.*)$")
_ECOSYSTEM = Path(__file__).resolve().parents[2] / "tests/conformance/ecosystem_names.json"
#: documented under the module where Alembic defines them, imported from their package
_REEXPORTS = {"alembic.util.langhelpers.": "alembic.util.", "alembic.util.exc.": "alembic.util."}


@dataclass
class PublicSurface:
    #: documented modules and classes: their public members are public too
    whole: set[str] = field(default_factory=lambda: {"alembic.op", "alembic.context"})
    #: documented names (a class among them documents its public members)
    names: set[str] = field(default_factory=set)
    #: names real packages import (exactly these)
    used: set[str] = field(default_factory=set)

    def is_public(self, name: str) -> bool:
        if name in self.names or name in self.whole or name in self.used:
            return True
        if any(part.startswith("_") for part in name.split(".")):
            return False
        return any(name.startswith(prefix + ".") for prefix in self.whole | self.names)


def _qualify(current: str, target: str) -> str:
    return target if target.startswith("alembic") or not current else f"{current}.{target}"


def _read_rst(text: str, surface: PublicSurface) -> None:
    current, last = "", None
    for line in text.splitlines():
        found = _DIRECTIVE.match(line)
        if found:
            kind, target = found.groups()
            if kind in ("currentmodule", "module"):
                current, last = target, None
                continue
            last = (kind, _qualify(current, target))
            surface.names.add(last[1])
            continue
        members = _MEMBERS.match(line)
        if members and last is not None:
            listed = [m.strip() for m in members.group(1).split(",") if m.strip()]
            if not listed:
                surface.whole.add(last[1])
            surface.names.update(f"{last[1]}.{m}" for m in listed)


def _add_reexports(surface: PublicSurface) -> None:
    for source, target in _REEXPORTS.items():
        for collection in (surface.names, surface.whole, surface.used):
            collection.update(
                target + name[len(source) :] for name in list(collection) if name.startswith(source)
            )


def load(sdist: Path) -> PublicSurface:
    surface = PublicSurface()
    for rst in sorted((sdist / "docs").rglob("*.rst")):
        _read_rst(rst.read_text(encoding="utf-8"), surface)
    if _ECOSYSTEM.exists():
        data = json.loads(_ECOSYSTEM.read_text())
        for entry in data.get("names", []):
            module, name = entry.get("module"), entry.get("name")
            if isinstance(module, str):
                surface.used.add(module if name is None else f"{module}.{name}")
    _add_reexports(surface)
    return surface
