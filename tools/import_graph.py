"""Print the layer-to-layer imports of Sterna as the code runs: the table in
``docs/architecture.md`` ("Layers and who may import what").

It reads the package with the scan of ``tests/test_layers.py`` (every ``import``, at module level
and inside functions, except under ``if TYPE_CHECKING:``) and counts, for each pair of layers,
the distinct (importing module, imported module) pairs that cross from one to the other; imports
inside one layer are left out.  Rows go from the highest importing layer down, as the layers of
``LAYERS`` rank them, so an upward edge would stand out (there is none: the test fails on one).

``python tools/import_graph.py`` prints the table; ``--check`` says whether the doc's copy (between
the ``import-graph`` markers) is the same, exit status 1 when it is stale, as
``tests/test_layers.py`` checks.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "architecture.md"
START = "<!-- import-graph:start (python tools/import_graph.py) -->"
END = "<!-- import-graph:end -->"


def layer_edges() -> Counter[tuple[str, str]]:
    """(importing layer, imported layer) -> how many module pairs cross between them."""
    from tests.test_layers import layer_of, runtime_imports

    edges: Counter[tuple[str, str]] = Counter()
    for module, target in runtime_imports():
        own, other = layer_of(module), layer_of(target)
        if own is not None and other is not None and own != other:
            edges[(own, other)] += 1
    return edges


def table() -> str:
    """The edges as a Markdown table, highest importing layer first, then the imported layers
    from the highest down."""
    from tests.test_layers import LAYERS

    rank = {name: index for index, name in enumerate(LAYERS)}
    edges = layer_edges()
    lines = ["| importing layer | imports from (module pairs) |", "|---|---|"]
    for own in reversed(LAYERS):
        targets = sorted((t for o, t in edges if o == own), key=lambda t: -rank[t])
        if targets:
            cells = ", ".join(f"{t} {edges[(own, t)]}" for t in targets)
            lines.append(f"| {own} | {cells} |")
    return "\n".join(lines) + "\n"


def doc_table(text: str) -> str | None:
    """The table between the markers of ``docs/architecture.md`` (None without the markers)."""
    if START not in text or END not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the doc's copy")
    args = parser.parse_args(argv)
    current = table()
    if not args.check:
        sys.stdout.write(current)
        return 0
    if doc_table(DOC.read_text("utf-8")) != current:
        sys.stdout.write(f"{DOC.relative_to(REPO)}: the import-graph table is stale\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
