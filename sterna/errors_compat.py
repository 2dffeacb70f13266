"""The exceptions of the alembic import alias (``sterna/compat.py``).  No SQLAlchemy."""

from __future__ import annotations

from sterna.errors_root import CommandError

__all__ = [
    "AliasNotProvided",
    "RealAlembicAlreadyImported",
]


class AliasNotProvided(CommandError, ModuleNotFoundError):
    """``import alembic.<path>`` under Sterna's alias, for a path Sterna does not provide (an
    ``ImportError`` too, so ``try: import ... except ImportError`` keeps working)."""

    def __init__(self, module: str, problem: str) -> None:
        super().__init__(f"No module named {module!r} under Sterna's alembic alias: {problem}")
        self.name = module
        self.problem = problem


class RealAlembicAlreadyImported(CommandError, RuntimeError):
    """:func:`sterna.compat.use_as_alembic` called in a process that has already imported the
    real Alembic: the objects it holds would stay Alembic's, so the switch refuses."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"sterna.compat.use_as_alembic(): the real Alembic is already imported ({where}); "
            "call it before anything imports alembic (with pytest: -p sterna.as_alembic)"
        )
        self.where = where
