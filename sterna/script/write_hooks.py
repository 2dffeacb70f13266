"""``alembic.script.write_hooks``: where projects register their own post-write hook types.

The hooks themselves live in :mod:`sterna.hooks` (run by the ``revision`` and ``merge``
commands); this module only gives them Alembic's import path, so that ::

    from sterna.script import write_hooks

    @write_hooks.register("my_formatter")
    def my_formatter(filename, options): ...

works as it does with Alembic.
"""

from __future__ import annotations

from sterna.hooks import register

__all__ = ["register"]
