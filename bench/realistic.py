"""The ``realistic`` workload of bench/generate.py: revisions shaped like autogenerate's output.

Issue 15's mix, one operation kind per revision, chosen by a seeded random generator (the same
seed gives the same scripts, so both tools get the same project):

* half of the revisions create a table of 6-7 columns: an ``Integer`` key whose constraint is
  named through ``op.f``, a ``String(n)``, a ``Numeric(12, 2)``, a ``Boolean`` defaulting to
  ``sa.text('true')``, a ``DateTime(timezone=True)`` defaulting to ``CURRENT_TIMESTAMP``, a
  ``String`` with a literal server default and, in 7 of every 10 tables, a key to an earlier table
  with ``ondelete='CASCADE'``; plus one or two ``create_index``;
* the others add one or two columns, create a plain or unique index, run a data ``UPDATE``
  through ``op.execute``, or change a column's nullability in ``batch_alter_table``.

Every downgrade undoes its upgrade.  Tables stay empty, so the ``UPDATE``s and ``NOT NULL``
changes succeed on any backend; only linear histories are generated (a key to an earlier table
must find it on the path from the base).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

NOUNS = ("account", "invoice", "order", "product", "customer", "shipment", "payment", "review")
LABELS = (("name", 80), ("title", 120), ("code", 32), ("email", 255))
I4, I8 = " " * 4, " " * 8
Step = tuple[str, str, str]  # message, upgrade body, downgrade body (indented, no trailing \n)


@dataclass
class Table:
    name: str
    nullable: dict[str, str] = field(default_factory=dict)  # column -> its existing_type
    unindexed: list[str] = field(default_factory=list)


@dataclass
class Schema:
    rng: random.Random
    tables: list[Table] = field(default_factory=list)


def _index(table: str, column: str, unique: bool) -> tuple[str, str]:
    ix = f"ix_{table}_{column}"
    return (
        f"op.create_index(op.f({ix!r}), {table!r}, [{column!r}], unique={unique})",
        f"op.drop_index(op.f({ix!r}), table_name={table!r})",
    )


def create_table(s: Schema, i: int) -> Step:
    t = Table(f"{NOUNS[i % len(NOUNS)]}_{i}")
    label, length = s.rng.choice(LABELS)
    cols = [
        "sa.Column('id', sa.Integer(), nullable=False)",
        f"sa.Column({label!r}, sa.String(length={length}), nullable=False)",
        "sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True)",
        "sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False)",
        "sa.Column('created_at', sa.DateTime(timezone=True), "
        "server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False)",
        f"sa.Column('status', sa.String(length={s.rng.choice((16, 20, 32))}), "
        "server_default='new', nullable=False)",
    ]
    indexes = [_index(t.name, label, False)]
    if len(s.tables) % 10 in range(1, 8):  # 7 tables in 10 refer to an earlier one
        parent = s.rng.choice(s.tables).name
        fk = f"{parent}_id"
        cols.append(f"sa.Column({fk!r}, sa.Integer(), nullable=True)")
        cols.append(
            f"sa.ForeignKeyConstraint([{fk!r}], [{parent + '.id'!r}], "
            f"name=op.f({f'fk_{t.name}_{fk}_{parent}'!r}), ondelete='CASCADE')"
        )
        indexes.append(_index(t.name, fk, False))
    elif s.rng.random() < 0.5:
        indexes.append(_index(t.name, "status", False))
    cols.append(f"sa.PrimaryKeyConstraint('id', name=op.f({f'pk_{t.name}'!r}))")
    t.nullable["amount"] = "sa.NUMERIC(precision=12, scale=2)"
    t.unindexed += ["amount", "created_at"]
    s.tables.append(t)
    up = [f"{I4}op.create_table(", f"{I8}{t.name!r},", *(f"{I8}{c}," for c in cols), f"{I4})"]
    up += [I4 + ix[0] for ix in indexes]
    down = [I4 + ix[1] for ix in reversed(indexes)] + [f"{I4}op.drop_table({t.name!r})"]
    return f"create table {t.name}", "\n".join(up), "\n".join(down)


def add_columns(s: Schema, i: int) -> Step:
    t = s.rng.choice(s.tables)
    added = [(f"note_{i}", "sa.String(length=200)", "sa.VARCHAR(length=200)")]
    if s.rng.random() < 0.5:
        added.append((f"score_{i}", "sa.Integer()", "sa.INTEGER()"))
    up: list[str] = []
    down: list[str] = []
    for name, type_, reflected in added:
        up.append(f"{I4}op.add_column({t.name!r}, sa.Column({name!r}, {type_}, nullable=True))")
        down.insert(0, f"{I4}op.drop_column({t.name!r}, {name!r})")
        t.nullable[name] = reflected
        t.unindexed.append(name)
    return f"add {' and '.join(a[0] for a in added)} to {t.name}", "\n".join(up), "\n".join(down)


def add_index(s: Schema, i: int) -> Step | None:
    choices = [t for t in s.tables if t.unindexed]
    if not choices:
        return None
    t = s.rng.choice(choices)
    column = t.unindexed.pop(s.rng.randrange(len(t.unindexed)))
    unique = s.rng.random() < 0.3
    up, down = _index(t.name, column, unique)
    return f"index {column} of {t.name}", I4 + up, I4 + down


def update_rows(s: Schema, i: int) -> Step:
    t = s.rng.choice(s.tables).name
    up = f"{I4}op.execute(\"UPDATE {t} SET status = 'active' WHERE status = 'new'\")"
    down = f"{I4}op.execute(\"UPDATE {t} SET status = 'new' WHERE status = 'active'\")"
    return f"mark {t} rows active", up, down


def not_null(s: Schema, i: int) -> Step | None:
    choices = [t for t in s.tables if t.nullable]
    if not choices:
        return None
    t = s.rng.choice(choices)
    column = s.rng.choice(sorted(t.nullable))
    existing = t.nullable.pop(column)

    def body(nullable: bool) -> str:
        return (
            f"{I4}with op.batch_alter_table({t.name!r}, schema=None) as batch_op:\n"
            f"{I8}batch_op.alter_column({column!r},\n"
            f"{I8}       existing_type={existing},\n"
            f"{I8}       nullable={nullable})"
        )

    return f"{column} of {t.name} not null", body(False), body(True)


def bodies(n: int, seed: int = 15) -> list[Step]:
    """The message, upgrade and downgrade bodies of ``n`` revisions of one linear history."""
    s = Schema(random.Random(seed))
    steps: list[Step] = []
    for i in range(n):
        roll = s.rng.random()
        step: Step | None = None
        if s.tables and roll >= 0.5:
            kinds = (add_columns, add_columns, add_index, update_rows, not_null)
            step = kinds[min(int((roll - 0.5) * 10), 4)](s, i)
        steps.append(step or create_table(s, i))
    return steps
