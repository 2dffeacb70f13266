[tool.alembic]
# Sterna (and Alembic) migration settings.  The database URL and logging are in alembic.ini.

# Folder holding env.py and versions/, relative to %(here)s, the folder of this file.
script_location = "${script_location}"

# Naming of new revision files.  Default: "%%(rev)s_%%(slug)s"
# Tokens: rev, slug, epoch, year, month, day, hour, minute, second.  For example:
# file_template = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
# or in dated sub-folders (needs recursive_version_locations = true):
# file_template = "%%(year)d/%%(month).2d/%%(day).2d_%%(hour).2d%%(minute).2d_%%(second).2d_%%(rev)s_%%(slug)s"

# Folders put in front of sys.path before env.py runs (the current directory by default).
prepend_sys_path = [
    "."
]

# Time zone of the dates written in new revision files and their names, as a name given to
# zoneinfo.ZoneInfo (may need the tzdata package).  Unset means local time.
# timezone = "UTC"

# Longest "slug" (the message part of a file name), in characters.
# truncate_slug_length = 40

# true: run env.py for the 'revision' command too, even without autogenerate.
# revision_environment = false

# true: also find revisions stored only as .pyc/.pyo files in versions/.
# sourceless = false

# Folders holding revision scripts; default <script_location>/versions.  With several
# folders, the first revision of a new branch needs --version-path.
# version_locations = [
#    "%(here)s/alembic/versions",
#    "%(here)s/foo/bar"
# ]

# true: look for revision scripts in sub-folders of each version location too.
# recursive_version_locations = false

# Encoding of the revision files written from script.py.mako.
# output_encoding = "utf-8"

# Programs run on each new revision script after it is written, one table per hook:
#
# [[tool.alembic.post_write_hooks]]
# format with the "black" console script
# name = "black"
# type = "console_scripts"
# entrypoint = "black"
# options = "-l 79 REVISION_SCRIPT_FILENAME"
#
# [[tool.alembic.post_write_hooks]]
# fix lint findings with "ruff", run as a Python module
# name = "ruff"
# type = "module"
# module = "ruff"
# options = "check --fix REVISION_SCRIPT_FILENAME"
#
# [[tool.alembic.post_write_hooks]]
# or run any executable found on PATH
# name = "ruff"
# type = "exec"
# executable = "ruff"
# options = "check --fix REVISION_SCRIPT_FILENAME"
