"""Migration chains that use every operation, written as Alembic users write them.

:func:`chain` gives, for one backend, a linear chain of revisions whose upgrades and downgrades
together call every ``op.*`` directive that backend supports outside batch mode (SQLite gets the
ALTERs it lacks through batch mode in :mod:`batch_chain`); :func:`batch_chain` does the same
inside ``op.batch_alter_table``.  Each downgrade undoes its upgrade.
"""

from __future__ import annotations

from tests.conformance.projects import Rev

TABLES = Rev(
    "op01tables",
    None,
    "tables",
    upgrade="""
        op.create_table(
            "suppliers",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
            sa.Column("note", sa.Text()),
            sa.Column("amount", sa.Numeric(10, 2), server_default="0"),
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
            sa.Column("code", sa.String(8), unique=True),
            sa.CheckConstraint("amount >= 0", name="ck_suppliers_amount"),
            {COMMENT}
        )
        op.create_table(
            "parts",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("supplier_id", sa.Integer,
                      sa.ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False),
            sa.Column("label", sa.String(30), index=True),
            sa.Column("weight", sa.Float()),
            sa.UniqueConstraint("label", "supplier_id", name="uq_parts_supplier_label"),
        )
        op.create_table(
            "stamps",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.DateTime(), server_default=sa.func.current_timestamp()),
            sa.Column("seen", sa.Date(), server_default=sa.text("'2020-01-01'")),
        )
        op.create_table("orphans", sa.Column("code", sa.String(10), nullable=False),
                        sa.Column("qty", sa.Integer))
    """,
    downgrade="""
        op.drop_table("orphans")
        op.drop_table("stamps")
        op.drop_table("parts")
        op.drop_table("suppliers")
    """,
)

COLUMNS = Rev(
    "op02columns",
    "op01tables",
    "columns",
    upgrade="""
        op.add_column("suppliers", sa.Column("email", sa.String(100), nullable=True))
        op.add_column("suppliers", sa.Column("rank", sa.Integer, nullable=False,
                                             server_default="3"))
        op.add_column("parts", sa.Column("sku", sa.String(20)))
        op.drop_column("parts", "weight")
    """,
    downgrade="""
        op.add_column("parts", sa.Column("weight", sa.Float()))
        op.drop_column("parts", "sku")
        op.drop_column("suppliers", "rank")
        op.drop_column("suppliers", "email")
    """,
)

INDEXES = Rev(
    "op03indexes",
    "op02columns",
    "indexes",
    upgrade="""
        op.create_index("ix_suppliers_name", "suppliers", ["name"])
        op.create_index(op.f("ix_suppliers_email_rank"), "suppliers", ["email", "rank"],
                        unique=True)
        op.create_index("ix_parts_sku", "parts", ["sku"], unique=False)
        op.drop_index("ix_parts_label", table_name="parts")
    """,
    downgrade="""
        op.create_index("ix_parts_label", "parts", ["label"])
        op.drop_index("ix_parts_sku", table_name="parts")
        op.drop_index(op.f("ix_suppliers_email_rank"), table_name="suppliers")
        op.drop_index("ix_suppliers_name", table_name="suppliers")
    """,
)

DATA = Rev(
    "op04data",
    "op03indexes",
    "data",
    upgrade="""
        suppliers = sa.table(
            "suppliers", sa.column("id", sa.Integer), sa.column("name", sa.String),
            sa.column("amount", sa.Numeric), sa.column("active", sa.Boolean),
            sa.column("code", sa.String), sa.column("note", sa.Text),
        )
        op.bulk_insert(suppliers, [
            {"id": 1, "name": "Acme", "amount": 10, "active": True, "code": "AC",
             "note": "it's quoted"},
            {"id": 2, "name": "Globex", "amount": 2.5, "active": False, "code": "GX",
             "note": None},
        ])
        op.bulk_insert(suppliers, [{"id": 3, "name": "Initech", "amount": 0, "active": True,
                                    "code": "IN", "note": "x"}], multiinsert=False)
        op.execute("UPDATE suppliers SET rank = 1 WHERE code = 'AC'")
        op.execute(sa.text("UPDATE suppliers SET rank = 2 WHERE code = 'GX'"))
        op.execute(
            suppliers.update()
            .where(suppliers.c.code == op.inline_literal("IN"))
            .values({"name": op.inline_literal("Initech Ltd")})
        )
        parts = sa.table("parts", sa.column("id", sa.Integer),
                         sa.column("supplier_id", sa.Integer), sa.column("label", sa.String),
                         sa.column("sku", sa.String))
        op.bulk_insert(parts, [{"id": 1, "supplier_id": 1, "label": "bolt", "sku": "B-1"},
                               {"id": 2, "supplier_id": 2, "label": "nut", "sku": "N-1"}])
        op.execute(sa.insert(sa.table("orphans", sa.column("code"), sa.column("qty")))
                   .values(code=op.inline_literal("o1"), qty=op.inline_literal(5)))
    """,
    downgrade="""
        op.execute("DELETE FROM orphans")
        op.execute(sa.text("DELETE FROM parts"))
        op.execute(sa.table("suppliers", sa.column("id")).delete())
    """,
)

RENAME = Rev(
    "op05rename",
    "op04data",
    "rename table",
    upgrade="""
        op.rename_table("orphans", "leftovers")
    """,
    downgrade="""
        op.rename_table("leftovers", "orphans")
    """,
)

# ALTERs and constraints outside batch mode: PostgreSQL and MariaDB
ALTER = Rev(
    "op06alter",
    "op05rename",
    "alter columns",
    upgrade="""
        op.alter_column("suppliers", "name", existing_type=sa.String(50), type_=sa.String(80),
                        existing_nullable=False, existing_server_default=None)
        op.alter_column("suppliers", "note", existing_type=sa.Text(), nullable=True,
                        new_column_name="remarks", existing_server_default=None)
        op.alter_column("suppliers", "rank", existing_type=sa.Integer(),
                        server_default="5", existing_nullable=False,
                        existing_server_default="3")
        op.alter_column("parts", "sku", existing_type=sa.String(20), nullable=False,
                        existing_nullable=True, comment="stock keeping unit",
                        existing_server_default=None)
        op.alter_column("leftovers", "qty", existing_type=sa.Integer(),
                        type_=sa.BigInteger(), existing_nullable=True,
                        existing_server_default=None)
    """,
    downgrade="""
        op.alter_column("leftovers", "qty", existing_type=sa.BigInteger(),
                        type_=sa.Integer(), existing_nullable=True,
                        existing_server_default=None)
        op.alter_column("parts", "sku", existing_type=sa.String(20), nullable=True,
                        existing_nullable=False, comment=None,
                        existing_comment="stock keeping unit", existing_server_default=None)
        op.alter_column("suppliers", "rank", existing_type=sa.Integer(),
                        server_default="3", existing_nullable=False,
                        existing_server_default="5")
        op.alter_column("suppliers", "remarks", existing_type=sa.Text(), nullable=True,
                        new_column_name="note", existing_server_default=None)
        op.alter_column("suppliers", "name", existing_type=sa.String(80), type_=sa.String(50),
                        existing_nullable=False, existing_server_default=None)
    """,
)

CONSTRAINTS = Rev(
    "op07constraints",
    "op06alter",
    "constraints",
    upgrade="""
        op.create_primary_key("pk_leftovers", "leftovers", ["code"])
        op.create_unique_constraint("uq_suppliers_name", "suppliers", ["name"])
        op.create_check_constraint("ck_parts_label", "parts", "label <> ''")
        op.add_column("leftovers", sa.Column("part_id", sa.Integer))
        op.create_foreign_key("fk_leftovers_part", "leftovers", "parts", ["part_id"], ["id"],
                              ondelete="SET NULL", onupdate="CASCADE")
        op.drop_constraint("uq_parts_supplier_label", "parts", type_="unique")
        op.drop_constraint("ck_suppliers_amount", "suppliers", type_="check")
    """,
    downgrade="""
        op.create_check_constraint("ck_suppliers_amount", "suppliers", "amount >= 0")
        op.create_unique_constraint("uq_parts_supplier_label", "parts", ["label", "supplier_id"])
        op.drop_constraint("fk_leftovers_part", "leftovers", type_="foreignkey")
        op.drop_column("leftovers", "part_id")
        op.drop_constraint("ck_parts_label", "parts", type_="check")
        op.drop_constraint("uq_suppliers_name", "suppliers", type_="unique")
        op.drop_constraint("pk_leftovers", "leftovers", type_="primary")
    """,
)

COMMENTS = Rev(
    "op08comments",
    "op07constraints",
    "comments",
    upgrade="""
        op.create_table_comment("parts", "Parts we buy", existing_comment=None)
        op.drop_table_comment("suppliers", existing_comment="Suppliers")
        op.alter_column("parts", "label", existing_type=sa.String(30),
                        comment="what is on the box", existing_nullable=True,
                        existing_server_default=None)
    """,
    downgrade="""
        op.alter_column("parts", "label", existing_type=sa.String(30), comment=None,
                        existing_comment="what is on the box", existing_nullable=True,
                        existing_server_default=None)
        op.create_table_comment("suppliers", "Suppliers")
        op.drop_table_comment("parts", existing_comment="Parts we buy")
    """,
)

POSTGRESQL = Rev(
    "op09postgresql",
    "op08comments",
    "postgresql only",
    imports="from sqlalchemy.dialects import postgresql",
    upgrade="""
        op.execute("CREATE SCHEMA IF NOT EXISTS audit")
        mood = postgresql.ENUM("happy", "sad", name="mood")
        op.create_table(
            "events",
            sa.Column("id", sa.Integer, sa.Identity(start=10), primary_key=True),
            sa.Column("part_id", sa.Integer, sa.ForeignKey("public.parts.id")),
            sa.Column("during", postgresql.TSRANGE()),
            sa.Column("mood", mood),
            sa.Column("payload", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb")),
            sa.Column("tags", postgresql.ARRAY(sa.String(10))),
            schema="audit",
        )
        op.create_exclude_constraint("ex_events_during", "events", ("during", "&&"),
                                     schema="audit", using="gist")
        op.create_index("ix_events_mood", "events", ["mood"], schema="audit",
                        postgresql_where=sa.text("mood = 'happy'"))
        op.create_index("ix_events_part", "events", ["part_id"], schema="audit",
                        postgresql_include=["mood"], postgresql_using="btree")
        op.create_index("ix_parts_lower_label", "parts", [sa.text("lower(label)")])
        with op.get_context().autocommit_block():
            op.create_index("ix_suppliers_code_conc", "suppliers", ["code"],
                            postgresql_concurrently=True)
        op.alter_column("parts", "supplier_id", existing_type=sa.Integer(),
                        type_=sa.BigInteger(), postgresql_using="supplier_id::bigint")
    """,
    downgrade="""
        op.alter_column("parts", "supplier_id", existing_type=sa.BigInteger(),
                        type_=sa.Integer())
        with op.get_context().autocommit_block():
            op.drop_index("ix_suppliers_code_conc", table_name="suppliers",
                          postgresql_concurrently=True)
        op.drop_index("ix_parts_lower_label", table_name="parts")
        op.drop_table("events", schema="audit")
        op.execute("DROP TYPE mood")
        op.execute("DROP SCHEMA audit")
    """,
)

MARIADB = Rev(
    "op09mariadb",
    "op08comments",
    "mariadb only",
    imports="from sqlalchemy.dialects import mysql",
    upgrade="""
        op.create_table(
            "events",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("part_id", sa.Integer, sa.ForeignKey("parts.id")),
            sa.Column("body", mysql.MEDIUMTEXT()),
            sa.Column("flags", mysql.TINYINT(unsigned=True), server_default="0"),
            sa.Column("kind", sa.Enum("a", "b", name="kind")),
            mysql_engine="InnoDB",
            mysql_charset="utf8mb4",
        )
        op.create_index("ix_events_body", "events", ["body"], mysql_length=20)
        op.create_index("ix_events_kind", "events", ["kind"], if_not_exists=True)
        op.alter_column("events", "flags", existing_type=mysql.TINYINT(unsigned=True),
                        server_default="1", existing_nullable=True)
        op.alter_column("parts", "label", existing_type=sa.String(30),
                        existing_comment="what is on the box", new_column_name="tag",
                        existing_nullable=True, existing_server_default=None)
    """,
    downgrade="""
        op.alter_column("parts", "tag", existing_type=sa.String(30),
                        existing_comment="what is on the box", new_column_name="label",
                        existing_nullable=True, existing_server_default=None)
        op.drop_index("ix_events_kind", table_name="events", if_exists=True)
        op.drop_index("ix_events_body", table_name="events")
        op.drop_table("events")
    """,
)

# SQLite: the ALTERs and constraints through batch mode, then what SQLite does natively
SQLITE_BATCH = Rev(
    "op06sqlite",
    "op05rename",
    "sqlite batch alters",
    upgrade="""
        with op.batch_alter_table("suppliers") as batch_op:
            batch_op.alter_column("name", existing_type=sa.String(50), type_=sa.String(80))
            batch_op.alter_column("note", new_column_name="remarks")
            batch_op.alter_column("rank", server_default="5")
            batch_op.create_unique_constraint("uq_suppliers_name", ["name"])
            batch_op.drop_constraint("ck_suppliers_amount", type_="check")
        with op.batch_alter_table("parts") as batch_op:
            batch_op.alter_column("sku", existing_type=sa.String(20), nullable=False)
            batch_op.create_check_constraint("ck_parts_label", "label <> ''")
            batch_op.drop_constraint("uq_parts_supplier_label", type_="unique")
        with op.batch_alter_table("leftovers") as batch_op:
            batch_op.create_primary_key("pk_leftovers", ["code"])
            batch_op.add_column(sa.Column("part_id", sa.Integer))
            batch_op.create_foreign_key("fk_leftovers_part", "parts", ["part_id"], ["id"],
                                        ondelete="SET NULL")
    """,
    downgrade="""
        with op.batch_alter_table("leftovers") as batch_op:
            batch_op.drop_constraint("fk_leftovers_part", type_="foreignkey")
            batch_op.drop_column("part_id")
            batch_op.drop_constraint("pk_leftovers", type_="primary")
        with op.batch_alter_table("parts") as batch_op:
            batch_op.create_unique_constraint("uq_parts_supplier_label", ["label", "supplier_id"])
            batch_op.drop_constraint("ck_parts_label", type_="check")
            batch_op.alter_column("sku", existing_type=sa.String(20), nullable=True)
        with op.batch_alter_table("suppliers") as batch_op:
            batch_op.create_check_constraint("ck_suppliers_amount", "amount >= 0")
            batch_op.drop_constraint("uq_suppliers_name", type_="unique")
            batch_op.alter_column("rank", server_default="3")
            batch_op.alter_column("remarks", new_column_name="note")
            batch_op.alter_column("name", existing_type=sa.String(80), type_=sa.String(50))
    """,
)

SQLITE_NATIVE = Rev(
    "op07sqlite",
    "op06sqlite",
    "sqlite native",
    upgrade="""
        op.create_index("ix_parts_lower_label", "parts", [sa.text("lower(label)")])
        op.create_index("ix_parts_sku_partial", "parts", ["sku"],
                        sqlite_where=sa.text("sku IS NOT NULL"))
        op.create_index("ix_leftovers_qty", "leftovers", ["qty"], if_not_exists=True)
        op.execute("CREATE VIEW v_parts AS SELECT id, label FROM parts")
    """,
    downgrade="""
        op.execute("DROP VIEW v_parts")
        op.drop_index("ix_leftovers_qty", table_name="leftovers", if_exists=True)
        op.drop_index("ix_parts_sku_partial", table_name="parts")
        op.drop_index("ix_parts_lower_label", table_name="parts")
    """,
)


SQLITE_COPY_FROM = Rev(
    "op08sqlite",
    "op07sqlite",
    "sqlite batch with copy_from (works offline)",
    upgrade="""
        stamps = sa.Table(
            "stamps", sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.DateTime(), server_default=sa.func.current_timestamp()),
            sa.Column("seen", sa.Date(), server_default=sa.text("'2020-01-01'")),
        )
        with op.batch_alter_table("stamps", copy_from=stamps) as batch_op:
            batch_op.alter_column("seen", new_column_name="first_seen",
                                  existing_type=sa.Date())
            batch_op.add_column(sa.Column("hits", sa.Integer, server_default="0"))
            batch_op.create_index("ix_stamps_hits", ["hits"])
    """,
    downgrade="""
        stamps = sa.Table(
            "stamps", sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.DateTime(), server_default=sa.func.current_timestamp()),
            sa.Column("first_seen", sa.Date(), server_default=sa.text("'2020-01-01'")),
            sa.Column("hits", sa.Integer, server_default="0"),
            sa.Index("ix_stamps_hits", "hits"),
        )
        with op.batch_alter_table("stamps", copy_from=stamps) as batch_op:
            batch_op.drop_index("ix_stamps_hits")
            batch_op.drop_column("hits")
            batch_op.alter_column("first_seen", new_column_name="seen",
                                  existing_type=sa.Date())
    """,
)

SQLITE_MORE = Rev(
    "op09sqlite",
    "op08sqlite",
    "sqlite native columns",
    upgrade="""
        op.add_column("leftovers", sa.Column("origin", sa.String(12), server_default="n/a"))
        op.drop_column("suppliers", "active")
        op.rename_table("stamps", "stamp_log")
    """,
    downgrade="""
        op.rename_table("stamp_log", "stamps")
        op.add_column("suppliers", sa.Column("active", sa.Boolean(), nullable=False,
                                             server_default=sa.true()))
        op.drop_column("leftovers", "origin")
    """,
)


def _extras(backend: str, down: str) -> Rev:
    """Alembic 1.20's newer keywords (if_exists/if_not_exists, inline_references), computed
    columns, execution_options, and on PostgreSQL deferrable and cross-schema constraints."""
    ident = {"sqlite": "sqlite", "postgresql": "pg", "mariadb": "my"}[backend]
    up = [
        'op.create_table("extras", sa.Column("id", sa.Integer, primary_key=True),',
        '                sa.Column("twice", sa.Integer,',
        '                          sa.Computed("part_id * 2", persisted=True)),',
        '                sa.Column("part_id", sa.Integer), if_not_exists=True)',
        'op.drop_table("never_was", if_exists=True)',
        'op.add_column("extras", sa.Column("ref_id", sa.Integer, sa.ForeignKey("parts.id")),',
        "              inline_references=True)",
        'op.execute("INSERT INTO extras (id, part_id) VALUES (1, 1)",',
        '           execution_options={"no_parameters": True})',
    ]
    down_lines = ['op.drop_table("extras", if_exists=True)']
    if backend != "sqlite":
        up += [
            'op.add_column("extras", sa.Column("tag", sa.String(8)), if_not_exists=True)',
            'op.create_check_constraint("ck_extras_part", "extras", "part_id > 0")',
            'op.drop_constraint("ck_extras_part", "extras", type_="check", if_exists=True)',
        ]
    if backend == "postgresql":  # Alembic writes no IF EXISTS on MariaDB: it would fail there
        up.append('op.drop_constraint("ck_never_was", "extras", type_="check", if_exists=True)')
    if backend == "postgresql":
        up += [
            'op.create_unique_constraint("uq_extras_part", "extras", ["part_id"],',
            '                            deferrable=True, initially="DEFERRED")',
            'op.create_foreign_key("fk_extras_part", "extras", "parts", ["part_id"], ["id"],',
            '                      deferrable=True, initially="IMMEDIATE", match="SIMPLE",',
            '                      ondelete="RESTRICT")',
            'op.create_foreign_key("fk_events_extra", "events", "extras", ["part_id"], ["id"],',
            '                      source_schema="audit", referent_schema="public")',
        ]
        down_lines.insert(
            0, 'op.drop_constraint("fk_events_extra", "events", type_="foreignkey", schema="audit")'
        )
    return Rev(
        f"op10{ident}extras",
        down,
        "newer keywords and computed columns",
        upgrade="\n".join(up),
        downgrade="\n".join(down_lines),
    )


def _tables(backend: str) -> Rev:
    comment = 'comment="Suppliers",' if backend != "sqlite" else ""
    return Rev(
        TABLES.rev,
        None,
        TABLES.message,
        upgrade=TABLES.upgrade.replace("{COMMENT}", comment),
        downgrade=TABLES.downgrade,
    )


def chain(backend: str) -> list[Rev]:
    """Every operation the backend supports, as one linear chain of revisions."""
    common = [_tables(backend), COLUMNS, INDEXES, DATA, RENAME]
    if backend == "sqlite":
        rest = [SQLITE_BATCH, SQLITE_NATIVE, SQLITE_COPY_FROM, SQLITE_MORE]
    else:
        rest = [ALTER, CONSTRAINTS, COMMENTS, POSTGRESQL if backend == "postgresql" else MARIADB]
    return [*common, *rest, _extras(backend, rest[-1].rev)]
