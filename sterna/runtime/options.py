"""``MigrationOptions``: the keyword arguments of ``context.configure()`` parsed once.

The command layer passes its own options to ``EnvironmentContext`` (``fn``, ``as_sql``,
``starting_rev``, ``destination_rev``, ``tag``, ``purge``); env.py adds the rest through
``configure()``.  Both end up here, in one frozen record that the runtime reads without dictionary
look-ups.  Keys the runtime does not know (a project's own options, dialect-specific settings) are
kept in ``extra`` and remain visible through :meth:`MigrationOptions.as_mapping`, which
``MigrationContext.opts`` copies into a dictionary (Alembic's ``opts``).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import IO, Any, cast

from sterna.errors_runtime import ContextUsageError

#: Keys whose value must be callable (or None) when given.
_CALLABLE_KEYS = (
    "fn",
    "include_name",
    "include_object",
    "process_revision_directives",
    "render_item",
)


@dataclass(frozen=True)
class MigrationOptions:
    """Everything that shapes one migration run, as given to ``configure()`` and the command."""

    # from the command
    fn: Callable[..., Iterable[Any]] | None = None
    as_sql: bool = False
    starting_rev: str | tuple[str, ...] | None = None
    destination_rev: str | None = None
    tag: str | None = None
    purge: bool = False
    dont_mutate: bool = False
    script: Any = None
    # execution
    transactional_ddl: bool | None = None
    transaction_per_migration: bool = False
    output_buffer: IO[Any] | None = None
    output_encoding: str | None = None
    literal_binds: bool = False
    on_version_apply: tuple[Callable[..., Any], ...] = ()
    # the version table
    version_table: str = "alembic_version"
    version_table_schema: str | None = None
    version_table_pk: bool = True
    # the applied-history table (sterna.runtime.history): name; its schema is the version table's
    sterna_history_table: str = "sterna_history"
    # templates and autogenerate (stored for the autogenerate issue)
    template_args: Mapping[str, Any] = field(default_factory=dict)
    render_as_batch: bool = False
    target_metadata: Any = None
    include_name: Callable[..., bool] | None = None
    include_object: Callable[..., bool] | None = None
    include_schemas: bool = False
    process_revision_directives: Callable[..., Any] | None = None
    compare_type: Any = True
    compare_server_default: Any = False
    render_item: Callable[..., Any] | None = None
    upgrade_token: str = "upgrades"
    downgrade_token: str = "downgrades"
    alembic_module_prefix: str | None = "op."
    sqlalchemy_module_prefix: str | None = "sa."
    user_module_prefix: str | None = None
    # anything else given to configure()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> MigrationOptions:
        """Parse ``values`` (Alembic's ``opts`` dictionary) into options, validating types."""
        known = _FIELD_NAMES
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in values.items():
            if key in known and key != "extra":
                kwargs[key] = value
            else:
                extra[key] = value
        kwargs["on_version_apply"] = _callables(kwargs.get("on_version_apply"))
        kwargs["template_args"] = dict(kwargs.get("template_args") or {})
        if isinstance(kwargs.get("starting_rev"), list):
            kwargs["starting_rev"] = tuple(kwargs["starting_rev"])
        for key in _CALLABLE_KEYS:
            value = kwargs.get(key)
            if value is not None and not callable(value):
                raise ContextUsageError(f"configure(): {key} must be callable, got {value!r}")
        _check_version_table(kwargs.get("version_table", "alembic_version"))
        _check_version_table(
            kwargs.get("sterna_history_table", "sterna_history"), "sterna_history_table"
        )
        for key in (
            "as_sql",
            "purge",
            "dont_mutate",
            "transaction_per_migration",
            "literal_binds",
            "version_table_pk",
            "render_as_batch",
            "include_schemas",
        ):
            if key in kwargs:
                kwargs[key] = bool(kwargs[key])
        return cls(**kwargs, extra=MappingProxyType(extra))

    def as_mapping(self) -> Mapping[str, Any]:
        """All options as a read-only mapping (known keys and ``extra`` ones)."""
        values: dict[str, Any] = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"
        }
        values.update(self.extra)
        return MappingProxyType(values)


_FIELD_NAMES = frozenset(f.name for f in fields(MigrationOptions))


def _callables(value: Any) -> tuple[Callable[..., Any], ...]:
    if value is None:
        return ()
    items = (value,) if callable(value) else tuple(value)
    for item in items:
        if not callable(item):
            raise ContextUsageError(
                f"configure(): on_version_apply must be a callable or a list of callables, "
                f"got {item!r}"
            )
    return items


def _check_version_table(name: Any, key: str = "version_table") -> None:
    if not isinstance(name, str) or not name:
        raise ContextUsageError(f"configure(): {key} must be a non-empty string, got {name!r}")


class _EncodedOutput(io.TextIOWrapper):
    """Encodes offline output onto a binary stream it does not own (never closes it)."""

    def close(self) -> None:
        with suppress(ValueError):  # the wrapped stream was closed by its owner
            self.flush()


def output_stream(options: MigrationOptions) -> IO[str]:
    """Where offline SQL goes: ``output_buffer`` or standard output, encoded as
    ``output_encoding`` asks (a binary stream gets the text encoded; never closed here)."""
    stream: IO[Any] = options.output_buffer if options.output_buffer is not None else sys.stdout
    encoding = options.output_encoding
    if not encoding or not options.as_sql:
        return cast(IO[str], stream)
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)):
        binary: Any = stream
    else:
        binary = getattr(stream, "buffer", None)
        if binary is None:
            return cast(IO[str], stream)  # a text stream without bytes underneath (StringIO)
        stream.flush()
    return _EncodedOutput(binary, encoding=encoding, write_through=True)
