"""Where the script folder and the version folders are, from configuration values.

``script_location`` and ``version_locations`` entries are folders or ``package:resource`` names.
A relative folder is taken from the current directory, as Alembic does; when it does not exist
there but does exist beside the configuration file, that one is used (so ``sterna -c
elsewhere/alembic.ini`` works from any directory).
"""

from __future__ import annotations

import os
import sys

from sterna.errors import ConfigError

DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from sterna.config import Config

    _T = TypeVar("_T")

_resource_files: Any = None


def is_resource(location: str) -> bool:
    """``package:resource`` rather than a path.  A drive letter makes an absolute path on every
    system (``C:\\Project`` or ``C:/Project`` in a configuration shared with Windows is a path,
    never package ``C``)."""
    import ntpath

    return ":" in location and not os.path.isabs(location) and not ntpath.isabs(location)


def resolve_location(location: str, here: str | None = None) -> str:
    """The folder ``location`` names: a path (kept as written when it exists as such) or a
    package resource (a real folder on disk)."""
    if is_resource(location):
        return _resource_path(location)
    if os.path.isabs(location) or here is None or os.path.exists(location):
        return location
    beside_config = os.path.join(here, location)
    if os.path.exists(beside_config):
        return os.path.abspath(beside_config)
    return location


def _resource_path(location: str) -> str:
    from importlib import resources
    from pathlib import Path

    package, *parts = location.split(":")
    try:
        ref: Any = resources.files(package)
    except (ModuleNotFoundError, TypeError) as err:
        raise ConfigError(
            f"Location {location!r}: package {package!r} cannot be imported ({err})"
        ) from None
    for part in parts:
        ref = ref / part
    if isinstance(ref, Path):
        return str(ref)
    return str(_keep_open().enter_context(resources.as_file(ref)))


def _keep_open() -> Any:
    """An exit stack closed at interpreter exit, for resources extracted to temporary files."""
    global _resource_files
    if _resource_files is None:
        import atexit
        import contextlib

        _resource_files = contextlib.ExitStack()
        atexit.register(_resource_files.close)
    return _resource_files


def config_folder(config: Config) -> str | None:
    """The folder of the configuration file (ini, else pyproject.toml), if there is one."""
    name = config.config_file_name or config.toml_file_name
    return os.path.dirname(os.path.abspath(name)) if name else None


def _boolean(config: Config, name: str) -> bool:
    getter = getattr(config, "get_alembic_boolean_option", None)
    if getter is not None:
        return bool(getter(name))
    return config.get_alembic_option(name) == "true"


def _truncate_slug_length(config: Config) -> int | None:
    value = config.get_alembic_option("truncate_slug_length")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"truncate_slug_length: expected a whole number, got {value!r}") from None


def prepend_sys_path(config: Config) -> None:
    """Put the ``prepend_sys_path`` folders in front of ``sys.path``, in their order: one
    already there elsewhere moves to the front (it was left where it was, so an earlier entry
    could shadow the configured order); none is added twice."""
    getter = getattr(config, "get_prepend_sys_paths_list", None)
    paths = list(dict.fromkeys(getter() or ())) if getter is not None else []
    sys.path[:] = [*paths, *(p for p in sys.path if p not in paths)]


def script_directory_from_config(cls: type[_T], config: Config) -> _T:
    """Build ``cls`` (a ScriptDirectory class) from the options of ``config``."""
    script_location = config.get_alembic_option("script_location")
    if script_location is None:
        raise ConfigError("No 'script_location' key found in configuration.")
    prepend_sys_path(config)
    here = config_folder(config)
    locations = config.get_version_locations_list()
    messaging = getattr(config, "messaging_opts", None) or {
        "quiet": bool(getattr(config.cmd_opts, "quiet", False))
    }
    return cls(  # type: ignore[call-arg]
        resolve_location(script_location, here),
        file_template=config.get_alembic_option("file_template", DEFAULT_FILE_TEMPLATE),
        truncate_slug_length=_truncate_slug_length(config),
        sourceless=_boolean(config, "sourceless"),
        output_encoding=config.get_alembic_option("output_encoding", "utf-8"),
        version_locations=[resolve_location(loc, here) for loc in locations] if locations else None,
        timezone=config.get_alembic_option("timezone"),
        hooks=config.get_hooks_list(),
        recursive_version_locations=_boolean(config, "recursive_version_locations"),
        messaging_opts=dict(messaging),
    )
