"""The seed's workflow, run for real on SQLite in a temporary folder (``./dev demo``).

It runs, and shows the output of, the commands a new user types:
``sterna init alembic``, ``sterna revision -m "create suppliers table"`` (whose upgrade/downgrade
are then filled in as in the seed's section 4), ``sterna upgrade head``, ``sterna current``,
``sterna history``, ``sterna downgrade -1`` and ``sterna downgrade base``, and shows the tables
in the database after each step.  Then, as in the seed's section 7, the project gets
``app/infrastructure/db.py`` (``Base`` and the models), env.py gets ``target_metadata =
Base.metadata``, a ``PurchaseOrder`` model is added, and ``sterna check`` and
``sterna revision --autogenerate -m "add purchase orders table"`` write the migration.

The commands are shown as a shell would take them (quoted), the temporary folder is named at the
start and removed at the end (``--keep`` keeps it; a failed demo keeps it to look into).
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

SEED_UPGRADE = """def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
"""
SEED_DOWNGRADE = """def downgrade() -> None:
    op.drop_table("suppliers")
"""


DB_PY = '''"""The application's database layer: Base and the models (the seed's db.py)."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
'''

PURCHASE_ORDER = """

class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    total: Mapped[float] = mapped_column(sa.Numeric(12, 2), server_default="0")
"""


def command_line(*args: str) -> str:
    """``sterna ARGS`` as typed in a shell: quoted where needed."""
    return shlex.join(["sterna", *args])


def sterna(cwd: Path, *args: str, expect: int = 0) -> str:
    print(f"\n$ {command_line(*args)}", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "sterna", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = proc.stdout.rstrip()
    if out:
        print(out)
    if proc.returncode != expect:
        raise SystemExit(f"demo: `{command_line(*args)}` exited {proc.returncode}")
    if proc.returncode:
        print(f"(exit status {proc.returncode}, as expected)")
    return proc.stdout


def tables(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        ).fetchall()
        names = [r[0] for r in rows]
        version = (
            conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if "alembic_version" in names
            else []
        )
    print(
        f"   tables: {', '.join(names) or '(none)'};"
        f" alembic_version rows: {[v[0] for v in version]}"
    )


def fill_in_seed(script: Path) -> None:
    text = script.read_text()
    text = re.sub(
        r"def upgrade\(\)[^:]*:\n(?:    .*\n|\n)*?\n*(?=def downgrade)", SEED_UPGRADE + "\n\n", text
    )
    text = re.sub(r"def downgrade\(\)[^:]*:\n(    .*\n?)*", SEED_DOWNGRADE, text)
    script.write_text(text)
    print(f"\n(filled in upgrade()/downgrade() of {script.name} as in the seed, section 4)")
    print(text)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--dir", type=Path, help="work here instead of a temporary folder (kept)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder at the end")
    args = ap.parse_args(argv)
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        print(f"Working in {args.dir} (kept at the end)")
        demo(args.dir)
        return
    work = Path(tempfile.mkdtemp(prefix="sterna-demo-"))
    ending = "kept at the end (--keep)" if args.keep else "removed at the end; --keep keeps it"
    print(f"Working in the temporary folder {work} ({ending})")
    try:
        demo(work)
    except BaseException:
        print(f"\n(the demo failed: {work} is kept, to look into)", file=sys.stderr)
        raise
    if args.keep:
        print(f"\nKept {work}: cd there to try more commands.")
    else:
        shutil.rmtree(work)
        print(f"\nRemoved {work}.")


def demo(work: Path) -> None:
    """The whole workflow in the folder ``work``."""
    db = work / "app.db"
    sterna(work, "init", "alembic")
    ini = work / "alembic.ini"
    ini.write_text(
        re.sub(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = sqlite:///{db}", ini.read_text())
    )
    print(f"\n(set sqlalchemy.url = sqlite:///{db} in alembic.ini)")
    sterna(work, "revision", "-m", "create suppliers table")
    script = next((work / "alembic" / "versions").glob("*create_suppliers_table.py"))
    fill_in_seed(script)
    sterna(work, "upgrade", "head")
    tables(db)
    sterna(work, "current")
    sterna(work, "history")
    sterna(work, "downgrade", "-1")
    tables(db)
    sterna(work, "upgrade", "head")
    sterna(work, "downgrade", "base")
    tables(db)
    sterna(work, "current")
    autogenerate_part(work, db)
    print(
        "\nDemo finished: init, revision, upgrade, current, history, downgrade, check and"
        " revision --autogenerate all ran."
    )


def autogenerate_part(work: Path, db: Path) -> None:
    """The seed's section 7: models in app/infrastructure/db.py, autogenerate after a change."""
    pkg = work / "app" / "infrastructure"
    pkg.mkdir(parents=True)
    (work / "app" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "db.py").write_text(DB_PY)
    env = work / "alembic" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata = None",
            "from app.infrastructure.db import Base\n\ntarget_metadata = Base.metadata",
        )
    )
    print(
        "\n(wrote app/infrastructure/db.py with Base and Supplier; in alembic/env.py:"
        " from app.infrastructure.db import Base / target_metadata = Base.metadata)"
    )
    sterna(work, "upgrade", "head")
    sterna(work, "check")
    with open(pkg / "db.py", "a") as f:
        f.write(PURCHASE_ORDER)
    print("\n(added the PurchaseOrder model to app/infrastructure/db.py)")
    sterna(work, "check", expect=1)
    sterna(work, "revision", "--autogenerate", "-m", "add purchase orders table")
    script = next((work / "alembic" / "versions").glob("*add_purchase_orders_table.py"))
    print(f"\n--- {script.name} ---\n{script.read_text()}")
    sterna(work, "upgrade", "head")
    tables(db)
    sterna(work, "check")
    sterna(work, "history")
    sterna(work, "downgrade", "-1")
    tables(db)


if __name__ == "__main__":
    main()
