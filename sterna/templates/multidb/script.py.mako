<%!
import re

%>"""${message}

Revision ID: ${up_revision}
Revises:${" " if down_revision else ""}${down_revision | comma,n}
Create Date: ${create_date}

"""
from collections.abc import Sequence

from sterna import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
${imports if imports else ""}

# Revision identifiers: read by Sterna (and Alembic) to order the migrations.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade(engine_name: str) -> None:
    """Apply this revision to the database called engine_name."""
    globals()["upgrade_%s" % engine_name]()


def downgrade(engine_name: str) -> None:
    """Revert this revision on the database called engine_name."""
    globals()["downgrade_%s" % engine_name]()

<%
    db_names = config.get_main_option("databases")
%>

## One upgrade_<name>() / downgrade_<name>() pair per database listed in "databases".

% for db_name in re.split(r',\s*', db_names):

def upgrade_${db_name}() -> None:
    """Apply this revision to ${db_name}."""
    ${context.get("%s_upgrades" % db_name, "pass")}


def downgrade_${db_name}() -> None:
    """Revert this revision on ${db_name}."""
    ${context.get("%s_downgrades" % db_name, "pass")}

% endfor
