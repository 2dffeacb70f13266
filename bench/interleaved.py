"""The least for a tool that runs each script between its statements: scripts, then their SQL.

    python bench/interleaved.py URL VERSIONS_DIR FILE.sql upgrade|downgrade [--check]

``straight.py --net-version-writes`` sends a run's statements back to back, and ``floor.py``
runs the scripts with no database; ``run.py`` adds the two for "the least for a drop-in sending
each statement alone".  A real run does the scripts' work *between* their statements, and that
work makes the server's share of the next statement larger (session 10, bench/README.md).  This
measures that least directly, in one process and one transaction: SQLAlchemy imported and every
script of ``VERSIONS_DIR`` run first (from its bytecode, as ``floor.py`` does: a pre-flight, as
Alembic and Sterna import every script before the first step); then, for each step of
``FILE.sql`` (the offline SQL or ``capture.py``'s record of a run; a step is the statements up
to and including its version-table write), the step's script function is called with
``floor.py``'s do-nothing ``op`` and then the step's statements are sent one by one.  The
version-table writes are folded into one, sent after the last step, as ``straight.py
--net-version-writes`` does (an online Sterna run writes the table once).

It is still a lower bound: a tool runs the script's code between *every* two statements of a
step (each ``op.*`` call sends its own), here all of it comes before the first.

``--check``: print how many statements were sent and the version table afterwards.
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path
from typing import Any

from floor import code_of, stub_op
from sqlalchemy import create_engine, text
from straight import net_version_writes, statements, version_write


def load_scripts(versions: Path) -> dict[str, dict[str, Any]]:
    """Every script of ``versions`` run into a namespace of its own, by revision id."""
    package = types.ModuleType("sterna")
    package.op = stub_op()  # type: ignore[attr-defined]
    sys.modules["sterna"] = sys.modules["alembic"] = package
    scripts: dict[str, dict[str, Any]] = {}
    for path in sorted(versions.glob("*.py")):
        namespace: dict[str, Any] = {"__name__": path.stem, "__file__": str(path)}
        exec(code_of(path), namespace)
        scripts[namespace["revision"]] = namespace
    return scripts


def steps(stmts: list[str], direction: str) -> list[tuple[str | None, list[str]]]:
    """``stmts`` cut after each version-table write: (the revision whose script ran, the step's
    statements without the write); a last group of what follows the last write (revision None)."""
    out: list[tuple[str | None, list[str]]] = []
    pending: list[str] = []
    for stmt in stmts:
        write = version_write(stmt)
        if write is None:
            pending.append(stmt)
            continue
        out.append((write.after if direction == "upgrade" else write.before, pending))
        pending = []
    out.append((None, pending))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("versions", type=Path)
    ap.add_argument("file")
    ap.add_argument("direction", choices=("upgrade", "downgrade"))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    scripts = load_scripts(a.versions)
    with open(a.file, encoding="utf-8") as f:
        stmts = statements(f.read())
    net, _ = net_version_writes([s for s in stmts if version_write(s) is not None])
    engine = create_engine(a.url)
    sqlite = engine.dialect.name == "sqlite"
    sent = 0
    with engine.connect() as conn:
        if sqlite:
            conn.exec_driver_sql("BEGIN")
        for revision, group in [*steps(stmts, a.direction), (None, net)]:
            if revision is not None:
                scripts[revision][a.direction]()
            for stmt in group:
                conn.exec_driver_sql(stmt if sqlite else stmt.replace("%", "%%"))
            sent += len(group)
        conn.commit()
        if a.check:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            print(f"replayed {sent} statements; alembic_version: {' '.join(sorted(found))}")
    engine.dispose()


if __name__ == "__main__":
    main()
