"""The migration environment for several databases: Sterna runs this file for every command
that needs the database, and it runs the migrations once per database.

The databases are the sections named by the "databases" option of the ini file, each with its
own sqlalchemy.url.
"""

import logging
import os
import re
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from sterna import context

# true: commit the databases with two-phase commit (where every driver supports it).
USE_TWOPHASE = False

# The configuration of this run (alembic.ini and/or [tool.alembic] in pyproject.toml).
config = context.config

# Set up Python logging from the ini file's logging sections.
if config.config_file_name is not None and os.path.isfile(config.config_file_name):
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

# The ini sections of the databases ("engine1, engine2" in the generated ini file).
db_names = config.get_main_option("databases", "")

# The MetaData of each database's models, for autogenerate; each holds only the tables of
# that database (MetaData.to_metadata() can copy tables between MetaData objects).  E.g.
#     from myapp import models
#     target_metadata = {"engine1": models.metadata1, "engine2": models.metadata2}
target_metadata = {}

# Other settings of your own can be read from the ini file too, e.g.
#     my_option = config.get_main_option("my_option")


def _database_names() -> list[str]:
    return [name for name in re.split(r",\s*", db_names) if name]


def run_migrations_offline() -> None:
    """Offline mode (--sql): write each database's SQL to <name>.sql."""
    for name in _database_names():
        url = context.config.get_section_option(name, "sqlalchemy.url")
        file_name = "%s.sql" % name
        logger.info("Migrating database %s" % name)
        logger.info("Writing output to %s" % file_name)
        with open(file_name, "w") as buffer:
            context.configure(
                url=url,
                output_buffer=buffer,
                target_metadata=target_metadata.get(name),
                literal_binds=True,
                dialect_opts={"paramstyle": "named"},
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


def run_migrations_online() -> None:
    """Online mode: open a transaction on every database, migrate each, then commit all."""
    engines = {}
    for name in _database_names():
        engines[name] = {
            "engine": engine_from_config(
                context.config.get_section(name, {}),
                prefix="sqlalchemy.",
                poolclass=pool.NullPool,
            )
        }

    for rec in engines.values():
        rec["connection"] = connection = rec["engine"].connect()
        if USE_TWOPHASE:
            rec["transaction"] = connection.begin_twophase()
        else:
            rec["transaction"] = connection.begin()

    try:
        for name, rec in engines.items():
            logger.info("Migrating database %s" % name)
            context.configure(
                connection=rec["connection"],
                upgrade_token="%s_upgrades" % name,
                downgrade_token="%s_downgrades" % name,
                target_metadata=target_metadata.get(name),
            )
            context.run_migrations(engine_name=name)

        if USE_TWOPHASE:
            for rec in engines.values():
                rec["transaction"].prepare()

        for rec in engines.values():
            rec["transaction"].commit()
    except BaseException:
        for rec in engines.values():
            rec["transaction"].rollback()
        raise
    finally:
        for rec in engines.values():
            rec["connection"].close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
