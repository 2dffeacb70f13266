"""Floor for offline runs: what any tool that runs Alembic scripts must do, and nothing more.

    python bench/floor.py VERSIONS_DIR upgrade|downgrade

Imports SQLAlchemy, then runs every script in the folder from the bytecode a real run leaves in
``__pycache__`` (read and unmarshalled without any check that it is current: cheaper than any
real loader) and calls its ``upgrade()`` or ``downgrade()`` with an ``op`` that does only what
Alembic's API obliges: ``op.create_table`` builds and returns a SQLAlchemy ``Table``; every
other operation does nothing (``op.batch_alter_table`` gives a context whose operations do
nothing).  No graph, no ordering, no SQL is written.  So a drop-in tool's ``upgrade head
--sql`` cannot take less time than this; ``bench/run.py`` prints Alembic's time divided by it
as the ceiling of the ratio.
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def create_table(name: str, *columns: Any, **kw: Any) -> sa.Table:
    return sa.Table(name, sa.MetaData(), *columns, **kw)


def nothing(*args: Any, **kw: Any) -> None:
    return None


class NoBatch:
    """What ``op.batch_alter_table`` returns here: a context whose operations do nothing."""

    def __enter__(self) -> NoBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return nothing


def batch_alter_table(*args: Any, **kw: Any) -> NoBatch:
    return NoBatch()


def stub_op() -> types.ModuleType:
    op = types.ModuleType("op")
    op.__getattr__ = lambda name: nothing  # type: ignore[method-assign]
    op.create_table = create_table  # type: ignore[attr-defined]
    op.batch_alter_table = batch_alter_table  # type: ignore[attr-defined]
    return op


def code_of(path: Path) -> types.CodeType:
    cached = Path(importlib.util.cache_from_source(str(path)))
    if cached.exists():
        code = marshal.loads(cached.read_bytes()[16:])
        assert isinstance(code, types.CodeType)
        return code
    return compile(path.read_bytes(), str(path), "exec")


def scripts(versions: Path, op: types.ModuleType) -> Iterator[dict[str, Any]]:
    """Each script of ``versions`` run into a namespace of its own, with ``op`` as what ``from
    sterna import op`` (or ``alembic``) gives it."""
    package = types.ModuleType("sterna")
    package.op = op  # type: ignore[attr-defined]
    sys.modules["sterna"] = sys.modules["alembic"] = package
    for path in versions.glob("*.py"):
        namespace: dict[str, Any] = {"__name__": path.stem, "__file__": str(path)}
        exec(code_of(path), namespace)
        yield namespace


def main() -> None:
    versions, direction = Path(sys.argv[1]), sys.argv[2]
    for namespace in scripts(versions, stub_op()):
        namespace[direction]()


if __name__ == "__main__":
    main()
