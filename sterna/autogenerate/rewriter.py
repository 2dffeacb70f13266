"""``Rewriter``: a ``process_revision_directives`` hook built from per-operation functions
(``alembic.autogenerate.rewriter.Rewriter``).

::

    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_column(context, revision, op):
        op.column.nullable = True
        return op                      # or a list of operations, or [] to remove it

    context.configure(..., process_revision_directives=writer)

The rewriter walks every ``MigrationScript``, its upgrade and downgrade containers and the
operations inside them (``ModifyTableOps`` included), replacing each operation whose class (or a
base class) has a function with what the function returns.  An operation the rewriter produced
is not rewritten again by the same rewriter.  ``writer1.chain(writer2)`` gives a rewriter that
runs ``writer1`` and then ``writer2`` over the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sterna.operations.ops import (
    DowngradeOps,
    MigrationScript,
    OpContainer,
    UpgradeOps,
)

RewriteFn = Callable[[Any, Any, Any], Any]
_F = TypeVar("_F", bound=RewriteFn)


class Rewriter:
    """Per-operation rewrite functions, usable as ``process_revision_directives``."""

    def __init__(self) -> None:
        self._functions: dict[type, RewriteFn] = {}
        self._chained: tuple[Callable[[Any, Any, list[Any]], None], ...] = ()

    def rewrites(self, operator: type) -> Callable[[_F], _F]:
        """Decorator: ``fn(context, revision, op)`` rewrites operations of class ``operator``
        (and its subclasses); it returns an operation, a list of them, or None/[] to drop it."""

        def register(fn: _F) -> _F:
            self._functions[operator] = fn
            return fn

        return register

    def chain(self, other: Callable[[Any, Any, list[Any]], None]) -> Rewriter:
        """A new rewriter running this one, then ``other``, on the same directives."""
        combined = Rewriter()
        combined._functions = dict(self._functions)
        combined._chained = (*self._chained, other)
        return combined

    def __call__(self, context: Any, revision: Any, directives: list[Any]) -> None:
        self.process_revision_directives(context, revision, directives)
        for other in self._chained:
            other(context, revision, directives)

    def process_revision_directives(
        self, context: Any, revision: Any, directives: list[Any]
    ) -> None:
        directives[:] = [
            result
            for directive in list(directives)
            for result in self._walk(context, revision, directive)
        ]

    # -- walking ----------------------------------------------------------------------------------

    def _function_for(self, operation: Any) -> RewriteFn | None:
        for klass in type(operation).__mro__:
            fn = self._functions.get(klass)
            if fn is not None:
                return fn
        return None

    def _rewrite(self, context: Any, revision: Any, operation: Any) -> list[Any]:
        fn = self._function_for(operation)
        if fn is None or self in _rewritten_by(operation):
            return [operation]
        result = fn(context, revision, operation)
        produced = [] if result is None else list(result) if isinstance(result, list) else [result]
        for item in produced:
            item._rewritten_by = _rewritten_by(item) | {self}
        return produced

    def _walk(self, context: Any, revision: Any, operation: Any) -> Iterator[Any]:
        for item in self._rewrite(context, revision, operation):
            if isinstance(item, MigrationScript):
                self._walk_script(context, revision, item)
            elif isinstance(item, OpContainer):
                self._walk_container(context, revision, item)
            yield item

    def _walk_script(self, context: Any, revision: Any, script: MigrationScript) -> None:
        upgrades = [self._single(context, revision, ops) for ops in script.upgrade_ops_list]
        downgrades = [self._single(context, revision, ops) for ops in script.downgrade_ops_list]
        script.upgrade_ops = [u for u in upgrades if isinstance(u, UpgradeOps)]
        script.downgrade_ops = [d for d in downgrades if isinstance(d, DowngradeOps)]

    def _single(self, context: Any, revision: Any, container: OpContainer) -> Any:
        results = list(self._walk(context, revision, container))
        if len(results) != 1:
            raise ValueError(
                f"a Rewriter function for {type(container).__name__} must return exactly one "
                f"container, got {len(results)}"
            )
        return results[0]

    def _walk_container(self, context: Any, revision: Any, container: OpContainer) -> None:
        container.ops[:] = [
            result
            for operation in list(container.ops)
            for result in self._walk(context, revision, operation)
        ]


def _rewritten_by(operation: Any) -> frozenset[Any]:
    """The rewriters that produced an operation (kept on the operation, never in ``info``,
    which ``create_table`` renders)."""
    found = getattr(operation, "_rewritten_by", None)
    return found if isinstance(found, frozenset) else frozenset()
