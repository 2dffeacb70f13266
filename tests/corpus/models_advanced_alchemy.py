"""The smallest concrete models over advanced-alchemy's bases, mixins and types.

advanced-alchemy ships no concrete model, so this module declares three, each using only the
package's own pieces: ``UUIDAuditBase`` (GUID key, ``DateTimeUTC`` audit columns, the shared
registry whose ``MetaData`` has a naming convention), ``BigIntAuditBase``, the ``SlugKey`` mixin
(whose unique constraint and index are guarded by ``ddl_if``) and the ``JsonB`` type.  Importing
this module registers them on ``advanced_alchemy.base.orm_registry``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

# the bases are Any where advanced-alchemy is not installed (outside .venv-corpus): misc
from advanced_alchemy.base import BigIntAuditBase, UUIDAuditBase
from advanced_alchemy.mixins import SlugKey
from advanced_alchemy.types import JsonB
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column


class Author(UUIDAuditBase):  # type: ignore[misc, unused-ignore]
    name: Mapped[str] = mapped_column(String(100))
    profile: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class Tag(BigIntAuditBase, SlugKey):  # type: ignore[misc, unused-ignore]
    name: Mapped[str] = mapped_column(String(50))


class Book(UUIDAuditBase, SlugKey):  # type: ignore[misc, unused-ignore]
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[UUID] = mapped_column(ForeignKey("author.id", ondelete="CASCADE"))
