# Sterna migration configuration: the database URL and logging (pyproject template).
# The other settings are in [tool.alembic] in pyproject.toml.

[alembic]
# The database URL.  Only env.py reads it; env.py may build the URL another way instead.
sqlalchemy.url = driver://user:pass@localhost/dbname


# Python logging, set up by env.py.  Progress messages come from the "alembic" logger.
[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
