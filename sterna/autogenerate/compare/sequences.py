"""Sequences (beyond Alembic): created and dropped, on dialects that have them.

The models' sequences are those of their ``MetaData`` (free-standing ones and those given to
columns); sequences PostgreSQL creates for serial and identity columns are not in the snapshot.
A sequence given to a column is also rendered inside that column in ``create_table``
(``render_schema.render_sequence``), which changes the column's DDL but does not create it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Sequence

from sterna.autogenerate.compare.registry import comparators
from sterna.autogenerate.compare.schemas import schema_key
from sterna.operations.ops import CreateSequenceOp, DropSequenceOp, UpgradeOps

if TYPE_CHECKING:
    from sterna.autogenerate.api import AutogenContext
    from sterna.autogenerate.reflect import SequenceInfo

SequenceKey = tuple[str | None, str]


def model_sequences(ctx: AutogenContext, schemas: list[str | None]) -> dict[SequenceKey, Sequence]:
    """The models' sequences that ``create_all`` creates on this dialect: an ``optional``
    one only where the dialect does not treat sequences as optional (MariaDB)."""
    wanted = set(schemas)
    skip_optional = bool(getattr(ctx.dialect, "sequences_optional", True))
    found: dict[SequenceKey, Sequence] = {}
    for metadata in ctx.metadatas:
        for sequence in _sequences_of(metadata):
            if sequence.optional and skip_optional:
                continue
            key = (schema_key(ctx, sequence.schema), sequence.name)
            if key[0] in wanted:
                found.setdefault(key, sequence)
    return found


def _sequences_of(metadata: MetaData) -> list[Sequence]:
    sequences: dict[str, Sequence] = dict(getattr(metadata, "_sequences", {}))
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.default, Sequence):
                sequences.setdefault(column.default._key, column.default)
    return list(sequences.values())


def _included(ctx: AutogenContext, key: SequenceKey, item: Any, reflected: bool) -> bool:
    return ctx.run_name_filters(key[1], "sequence", {"schema_name": key[0]}) and (
        ctx.run_object_filters(item, key[1], "sequence", reflected, None)
    )


def _reverse_options(info: SequenceInfo) -> dict[str, Any]:
    """The options worth recreating a dropped sequence with (defaults left out)."""
    options = info.options
    kept: dict[str, Any] = {}
    for key in ("start", "increment"):
        if options.get(key) is not None:
            kept[key] = options[key]
    if options.get("cycle"):
        kept["cycle"] = True
    if options.get("cache") not in (None, 1):
        kept["cache"] = options["cache"]
    ascending = (options.get("increment") or 1) > 0
    if options.get("minvalue") is not None and options["minvalue"] != (1 if ascending else None):
        kept["minvalue"] = options["minvalue"]
    if options.get("maxvalue") is not None and options["maxvalue"] not in (2**63 - 1, 2**31 - 1):
        kept["maxvalue"] = options["maxvalue"]
    return kept


@comparators.dispatch_native("schema")
def compare_sequences(
    ctx: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]
) -> None:
    snapshot = ctx.snapshot
    if snapshot is None or ctx.dialect is None or not ctx.dialect.supports_sequences:
        return
    wanted = model_sequences(ctx, schemas)
    for key in sorted(wanted, key=lambda k: (k[0] or "", k[1])):
        sequence = wanted[key]
        if key not in snapshot.sequences and _included(ctx, key, sequence, False):
            upgrade_ops.ops.append(CreateSequenceOp.from_sequence(sequence))
    for key in sorted(snapshot.sequences, key=lambda k: (k[0] or "", k[1])):
        if key in wanted or key[0] not in schemas:
            continue
        info = snapshot.sequences[key]
        built = Sequence(info.name, schema=info.schema, metadata=MetaData())
        if _included(ctx, key, built, True):
            create = CreateSequenceOp(info.name, schema=info.schema, **_reverse_options(info))
            upgrade_ops.ops.append(DropSequenceOp(info.name, schema=info.schema, _reverse=create))
