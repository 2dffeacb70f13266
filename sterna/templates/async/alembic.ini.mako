# Sterna migration configuration: one database through an async driver (async template).
# The same file works with Alembic.

[alembic]
# Folder holding env.py and versions/.  Relative paths are written against %(here)s,
# the folder of this ini file; use forward slashes on every platform.
script_location = ${script_location}

# Naming of new revision files.  Default: %%(rev)s_%%(slug)s
# Tokens: rev, slug, epoch, year, month, day, hour, minute, second.  For example, to put the
# date and time first:
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s
# or to file revisions in dated sub-folders (needs recursive_version_locations = true):
# file_template = %%(year)d/%%(month).2d/%%(day).2d_%%(hour).2d%%(minute).2d_%%(second).2d_%%(rev)s_%%(slug)s

# Folders put in front of sys.path before env.py runs (the current directory by default).
# Several folders are split with path_separator (below).
prepend_sys_path = .

# Time zone of the dates written in new revision files and their names, as a name given to
# zoneinfo.ZoneInfo (may need the tzdata package).  Empty means local time.
# timezone =

# Longest "slug" (the message part of a file name), in characters.
# truncate_slug_length = 40

# true: run env.py for the 'revision' command too, even without autogenerate.
# revision_environment = false

# true: also find revisions stored only as .pyc/.pyo files in versions/.
# sourceless = false

# Folders holding revision scripts; default <script_location>/versions.  With several
# folders, the first revision of a new branch needs --version-path.  Split with
# path_separator (below).
# version_locations = %(here)s/bar:%(here)s/bat:%(here)s/alembic/versions

# How lists of paths (version_locations, prepend_sys_path) are split in this file:
#   os       the platform's separator (os.pathsep: ':' on POSIX, ';' on Windows)
#   :        colon
#   ;        semicolon
#   space    spaces
#   newline  one path per line
# Without this key, older rules apply: version_locations uses version_path_separator or
# else spaces/commas, and prepend_sys_path splits on spaces, commas and colons.
path_separator = os

# true: look for revision scripts in sub-folders of each version location too.
# recursive_version_locations = false

# Encoding of the revision files written from script.py.mako.
# output_encoding = utf-8

# The database URL.  Only env.py reads it; env.py may build the URL another way instead.
sqlalchemy.url = driver://user:pass@localhost/dbname


[post_write_hooks]
# Programs run on each new revision script after it is written.  Examples:
#
# format with the "black" console script:
# hooks = black
# black.type = console_scripts
# black.entrypoint = black
# black.options = -l 79 REVISION_SCRIPT_FILENAME
#
# fix lint findings with "ruff", run as a Python module:
# hooks = ruff
# ruff.type = module
# ruff.module = ruff
# ruff.options = check --fix REVISION_SCRIPT_FILENAME
#
# or run any executable found on PATH:
# hooks = ruff
# ruff.type = exec
# ruff.executable = ruff
# ruff.options = check --fix REVISION_SCRIPT_FILENAME

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
