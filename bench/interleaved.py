"""The least for a tool that runs each script between its statements, one statement an operation.

    python bench/interleaved.py URL VERSIONS_DIR FILE.sql upgrade|downgrade [--check]

``straight.py --net-version-writes`` sends a run's statements back to back, and ``floor.py``
runs the scripts with no database; ``run.py`` adds the two for "the least for a drop-in sending
each statement alone".  A real run does the scripts' work *between* their statements, and that
work makes the server's share of the next statement larger (session 10, bench/README.md).  This
measures that least directly, in one process and one transaction: SQLAlchemy imported and every
script of ``VERSIONS_DIR`` run first (from its bytecode, as ``floor.py`` does: a pre-flight, as
Alembic and Sterna import every script before the first step); then, for each step of
``FILE.sql`` (the offline SQL or ``capture.py``'s record of a run; a step is the statements up
to and including its version-table write), the step's script function is called with an ``op``
whose every directive sends the step's next statement as it is called (``op.create_table``
also builds and returns the table, ``op.f`` returns its name, ``op.batch_alter_table`` gives a
context whose directives do the same); what the step has left when the function returns is
sent then.  On the realistic workload on PostgreSQL every directive is one statement, so the
statements go out exactly where a tool would send them, with the script's own code between
them and no tool's; on SQLite a batch rebuild's statements go out at its directive and after.
The version-table writes are folded into one, sent after the last step, as ``straight.py
--net-version-writes`` does (an online Sterna run writes the table once).

``--check``: print how many statements were sent and the version table afterwards.
"""

from __future__ import annotations

import argparse
import types
from collections import deque
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from floor import scripts
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from straight import net_version_writes, send, statements, version_table, version_write


class Sender:
    """The statements of the step being run, sent one per directive."""

    def __init__(self) -> None:
        self.queue: deque[str] = deque()
        self.conn: Connection | None = None
        self.sqlite = False
        self.sent = 0

    def next(self, *args: Any, **kw: Any) -> None:
        if self.queue and self.conn is not None:
            send(self.conn, self.queue.popleft(), self.sqlite)
            self.sent += 1

    def rest(self) -> None:
        while self.queue:
            self.next()


class Batch:
    """What ``op.batch_alter_table`` returns here: each directive sends the next statement."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return self.sender.next


def sending_op(sender: Sender) -> types.ModuleType:
    """An ``op`` whose directives send the step's next statement."""

    def create_table(name: str, *columns: Any, **kw: Any) -> sa.Table:
        table = sa.Table(name, sa.MetaData(), *columns, **kw)
        sender.next()
        return table

    op = types.ModuleType("op")
    op.__getattr__ = lambda name: sender.next  # type: ignore[method-assign]
    op.create_table = create_table  # type: ignore[attr-defined]
    op.f = str  # type: ignore[attr-defined]
    op.batch_alter_table = lambda *a, **kw: Batch(sender)  # type: ignore[attr-defined]
    return op


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
    sender = Sender()
    by_revision = {ns["revision"]: ns for ns in scripts(a.versions, sending_op(sender))}
    with open(a.file, encoding="utf-8") as f:
        stmts = statements(f.read())
    net, _ = net_version_writes([s for s in stmts if version_write(s) is not None])
    engine = create_engine(a.url)
    sender.sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        sender.conn = conn
        if sender.sqlite:
            conn.exec_driver_sql("BEGIN")
        for revision, group in [*steps(stmts, a.direction), (None, net)]:
            sender.queue.extend(group)
            if revision is not None:
                by_revision[revision][a.direction]()
            sender.rest()
        conn.commit()
        if a.check:
            found = " ".join(version_table(conn))
            print(f"replayed {sender.sent} statements; alembic_version: {found}")
    engine.dispose()


if __name__ == "__main__":
    main()
