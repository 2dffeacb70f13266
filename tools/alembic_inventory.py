"""List every ``alembic.*`` name that third-party packages import or reach, read from their source.

    python tools/alembic_inventory.py OUT.json DIST [DIST ...]

Each DIST is a wheel (``.whl``), an sdist (``.tar.gz``/``.zip``) or an unpacked directory; wheels
and sdists are read in place, nothing is installed or imported.  Every ``.py`` file is parsed
with :mod:`ast` (and the import lines of ``*.mako`` templates), and the tool records

* each ``alembic.*`` module imported (``import alembic.migration``): a row with ``name`` null,
* each name imported from one (``from alembic.util import DispatchPriority``),
* each attribute chain reached on a bound module or imported name
  (``alembic.autogenerate.comparators.dispatch_for``, ``ops.MigrateOperation``): the longest
  module prefix becomes ``module``, the rest the dotted ``name``.

Which dotted paths are modules is read from the Alembic installed beside this interpreter (its
file tree, without importing it).  Rows are ``package, version, module, name, where`` (the first
``file:line``) and ``type_checking`` (imported only under ``if TYPE_CHECKING:``), one per
distinct ``(package, module, name)``, sorted.  The analysis is per file and ignores scopes, so a
local variable shadowing an imported name may add a row that the code never reaches.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ALIAS = "alembic"
_IMPORT_LINE = re.compile(r"^\s*(from\s+alembic[\w.]*\s+import\s+.+|import\s+alembic[\w.,\s]*)$")
_DIST_NAME = re.compile(r"^(?P<name>.+?)-(?P<version>\d[^-]*?)(?:-py.*)?\.(?:whl|tar\.gz|zip)$")


@dataclass(frozen=True, order=True)
class Row:
    package: str
    version: str
    module: str
    name: str | None
    where: str
    type_checking: bool


def alembic_modules() -> frozenset[str]:
    """Dotted names of the installed Alembic's modules and packages (read from its files)."""
    spec = importlib.util.find_spec(ALIAS)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("alembic_inventory: Alembic is not installed beside this interpreter")
    root = Path(next(iter(spec.submodule_search_locations)))
    found = {ALIAS}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.add(".".join((ALIAS, *parts)))
    return frozenset(found)


def read_sources(dist: Path) -> Iterator[tuple[str, str]]:
    """``(path inside the distribution, text)`` of each Python file and Mako template."""
    wanted = (".py", ".mako")
    if dist.is_dir():
        for path in sorted(dist.rglob("*")):
            if path.suffix in wanted and path.is_file():
                yield str(path.relative_to(dist)), path.read_text("utf-8", "replace")
    elif dist.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(dist) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(wanted):
                    yield name, archive.read(name).decode("utf-8", "replace")
    else:
        with tarfile.open(dist) as archive:
            for member in sorted(archive.getmembers(), key=lambda m: m.name):
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is not None and member.name.endswith(wanted):
                    yield member.name, handle.read().decode("utf-8", "replace")


def parse(path: str, text: str) -> ast.Module | None:
    """The module's tree; for a Mako template, a tree of its ``alembic`` import lines only."""
    if path.endswith(".mako"):
        text = "\n".join(line if _IMPORT_LINE.match(line) else "" for line in text.splitlines())
    try:
        return ast.parse(text, path)
    except SyntaxError:
        return None


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


class FileScan:
    """The alembic names one file binds and reaches."""

    def __init__(self, modules: frozenset[str], tree: ast.Module) -> None:
        self.modules = modules
        self.bound: dict[str, str] = {}  # local name -> full dotted alembic path
        self.found: dict[tuple[str, str | None], int] = {}
        self.guarded = _type_checking_lines(tree)
        self.guarded_found: set[tuple[str, str | None]] = set()
        self.tree = tree

    def record(self, path: str, line: int) -> None:
        """Record the alembic object at ``path``: its longest module prefix and the rest."""
        parts = path.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                rest = ".".join(parts[cut:]) or None
                key = (module, rest)
                self.found.setdefault(key, line)
                if line in self.guarded:
                    self.guarded_found.add(key)
                return

    def bind_imports(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != ALIAS:
                        continue
                    self.record(alias.name, node.lineno)
                    if alias.asname:
                        self.bound[alias.asname] = alias.name
                    else:
                        self.bound[ALIAS] = ALIAS
            elif (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and node.module
                and (node.module.split(".")[0] == ALIAS)
            ):
                self.record(node.module, node.lineno)
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    self.record(full, node.lineno)
                    self.bound[alias.asname or alias.name] = full

    def reach_attributes(self) -> None:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Attribute) or isinstance(
                getattr(node, "_parent", None), ast.Attribute
            ):
                continue
            parts = dotted(node)
            if parts is None or parts[0] not in self.bound:
                continue
            self.record(".".join([self.bound[parts[0]], *parts[1:]]), node.lineno)


def _mark_parents(tree: ast.Module) -> None:
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            child._parent = parent  # type: ignore[attr-defined]


def scan_file(modules: frozenset[str], tree: ast.Module) -> FileScan:
    _mark_parents(tree)
    scan = FileScan(modules, tree)
    scan.bind_imports()
    scan.reach_attributes()
    return scan


def dist_identity(dist: Path) -> tuple[str, str]:
    """``(project name, version)`` from a wheel/sdist file name or a ``name-version`` folder."""
    match = _DIST_NAME.match(dist.name if not dist.is_dir() else dist.name + ".zip")
    if match is None:
        return dist.name, "unknown"
    return match["name"].replace("_", "-").lower(), match["version"]


def scan_dist(modules: frozenset[str], dist: Path) -> list[Row]:
    package, version = dist_identity(dist)
    rows: dict[tuple[str, str | None], Row] = {}
    for path, text in read_sources(dist):
        tree = parse(path, text)
        if tree is None:
            continue
        scan = scan_file(modules, tree)
        for key, line in scan.found.items():
            if key not in rows:
                rows[key] = Row(
                    package, version, key[0], key[1], f"{path}:{line}", key in scan.guarded_found
                )
            elif rows[key].type_checking and key not in scan.guarded_found:
                rows[key] = Row(package, version, key[0], key[1], f"{path}:{line}", False)
    return sorted(rows.values(), key=lambda r: (r.module, r.name or ""))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    modules = alembic_modules()
    packages, names = [], []
    for dist in map(Path, argv[1:]):
        rows = scan_dist(modules, dist)
        package, version = dist_identity(dist)
        packages.append({"package": package, "version": version, "names": len(rows)})
        names.extend(asdict(row) for row in rows)
    document = {
        "generated_by": "tools/alembic_inventory.py",
        "packages": sorted(packages, key=lambda p: str(p["package"])),
        "names": names,
    }
    Path(argv[0]).write_text(json.dumps(document, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
