"""The migration environment: Sterna runs this file for every command that needs the database.

Edit it freely: set target_metadata, build the database URL from the environment, pass extra
options to context.configure(), ...
"""

import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from sterna import context

# The configuration of this run (alembic.ini and/or [tool.alembic] in pyproject.toml).
config = context.config

# Set up Python logging from the ini file's logging sections.
if config.config_file_name is not None and os.path.isfile(config.config_file_name):
    fileConfig(config.config_file_name)

# The MetaData of your models, for autogenerate.  For example:
#     from myapp.models import Base
#     target_metadata = Base.metadata
target_metadata = None

# Other settings of your own can be read from the ini file too, e.g.
#     my_option = config.get_main_option("my_option")


def run_migrations_offline() -> None:
    """Offline mode (--sql): write the SQL to the output instead of running it.

    Only a URL is needed (no Engine and no DBAPI driver); context.execute() calls are written
    to the output as well.
    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Online mode: connect with an Engine built from the sqlalchemy.* options and migrate."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
