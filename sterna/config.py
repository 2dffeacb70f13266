"""``Config``: the settings of one migration project.

Settings come from an ini file (``alembic.ini``; main section ``[alembic]`` unless ``-n`` names
another) and from ``[tool.alembic]`` in ``pyproject.toml``, exactly where Alembic reads them, so an
existing project works unchanged.  Values in both files may use ``%(here)s``: the folder of the
file the value comes from.  This module uses the standard library only (never SQLAlchemy).

Differences from Alembic, all in the direction of failing loudly instead of guessing:

* a malformed ini or toml file is a :class:`~sterna.errors.ConfigError` naming the file (and the
  line, when the parser knows it), as is a bad ``%(...)s`` interpolation;
* boolean options accept ``true/false``, ``yes/no``, ``on/off`` and ``1/0`` in any case; any
  other text is an error naming the option (Alembic silently reads it as false);
* a ``path_separator`` with an unknown value is a ``ConfigError`` naming the file.
"""

from __future__ import annotations

import configparser
import os
import re
import sys
import warnings
from argparse import Namespace
from collections.abc import Mapping
from functools import cached_property

from sterna.config_files import read_ini, read_toml
from sterna.errors_config import ConfigError
from sterna.util.messaging import write_stream

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TextIO, overload

    from sterna.util.console import ConsolePolicy

PostWriteHookConfig = Mapping[str, str]
TomlValue = str | int | bool | list[str] | dict[str, str] | list[dict[str, str]]

_SEPARATORS: dict[str, str] = {
    "os": os.pathsep,
    ":": ":",
    ";": ";",
    "space": " ",
    "newline": "\n",
}
_LEGACY_LOCATION_SPLIT = re.compile(r", *| +")
_LEGACY_SYS_PATH_SPLIT = re.compile(r", *| +|:")
_HOOK_NAMES_SPLIT = re.compile(r", *| +")
_TRUE = frozenset({"true", "yes", "on", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "off", "0", "n", "f", ""})


def __getattr__(name: str) -> Any:
    """``main`` and ``CommandLine`` (``alembic.config``'s), loaded on first use."""
    if name in ("main", "CommandLine"):
        from sterna import cli_compat

        return getattr(cli_compat, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_bool(value: str, what: str) -> bool:
    """Read a boolean written as text (``true``/``false``, ``yes``/``no``, ``on``/``off``,
    ``1``/``0``, any case; empty is false).

    Args:
        value: The text.
        what: The option's name, for the error message.

    Returns:
        The boolean.

    Raises:
        ConfigError: Any other text.
    """
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{what}: expected a boolean (true/false), got {value!r}")


class Config:
    """The configuration of one migration project: its ini file and/or ``pyproject.toml``.

    Every command of :mod:`sterna.command` takes one; ``env.py`` sees it as ``context.config``.
    Files are read when a value is first asked for, not when the object is built.  A program
    can build one without any file and set the options itself (:meth:`set_main_option`).

    Args:
        file_: The ini file (``alembic.ini``); ``None`` for none.
        toml_file: The ``pyproject.toml`` whose ``[tool.alembic]`` table is read; ``None`` for
            none.
        ini_section: The main section of the ini file (the command line's ``-n``).
        output_buffer: Where offline (``--sql``) SQL is written instead of standard output.
        stdout: Where :meth:`print_stdout` writes (default: the current ``sys.stdout``).
        cmd_opts: The parsed command line, for ``env.py`` (``context.get_x_argument()`` reads
            its ``x``); ``None`` when called from Python.
        config_args: Extra values for ``%(name)s`` substitutions in both files.
        attributes: A dictionary handed through to ``env.py`` (``config.attributes``), for
            objects such as an open connection, and for run settings such as
            ``"sterna.lock_timeout"`` (see the configuration reference).
    """

    cmd_opts: Namespace | None = None
    config_file_name: str | None = None
    toml_file_name: str | None = None
    config_ini_section: str = "alembic"

    def __init__(
        self,
        file_: str | os.PathLike[str] | None = None,
        toml_file: str | os.PathLike[str] | None = None,
        ini_section: str = "alembic",
        output_buffer: TextIO | None = None,
        stdout: TextIO | None = None,
        cmd_opts: Namespace | None = None,
        config_args: Mapping[str, Any] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        self.config_file_name = os.fspath(file_) if file_ else None
        self.toml_file_name = os.fspath(toml_file) if toml_file else None
        self.config_ini_section = ini_section
        self.output_buffer = output_buffer
        self._stdout = stdout
        self.cmd_opts = cmd_opts
        self.config_args: dict[str, Any] = dict(config_args or {})
        self.toml_args: dict[str, Any] = dict(config_args or {})
        self.attributes: dict[str, Any] = dict(attributes or {})
        #: the console script's speed measures (sterna.util.console); ``None`` for a library call
        self.console: ConsolePolicy | None = None

    @property
    def _config_file_path(self) -> Path | None:
        from pathlib import Path  # pathlib is slow to import; rarely used

        return Path(self.config_file_name) if self.config_file_name else None

    @property
    def _toml_file_path(self) -> Path | None:
        from pathlib import Path

        return Path(self.toml_file_name) if self.toml_file_name else None

    # ------------------------------------------------------------------ output

    @property
    def stdout(self) -> TextIO:
        """Where :meth:`print_stdout` writes: the stream given, else the current sys.stdout."""
        return self._stdout if self._stdout is not None else sys.stdout

    @stdout.setter
    def stdout(self, stream: TextIO | None) -> None:
        self._stdout = stream

    @property
    def messaging_opts(self) -> dict[str, bool]:
        """``{"quiet": True}`` under ``-q``: what Alembic passes to its messaging helpers."""
        return {"quiet": bool(getattr(self.cmd_opts, "quiet", False))}

    def print_stdout(self, text: str, *arg: Any) -> None:
        """Write one line to :attr:`stdout`; nothing under ``-q``.

        Args:
            text: The line, or a ``%`` format when ``arg`` is given.
            *arg: Values for the ``%`` format.
        """
        if self.messaging_opts["quiet"]:
            return
        output = (str(text) % arg) if arg else str(text)
        write_stream(self.stdout, output + "\n")

    # ------------------------------------------------------------------ ini file

    @cached_property
    def file_config(self) -> configparser.ConfigParser:
        """The parsed ini file (an empty main section when there is no file)."""
        name = self.config_file_name
        self.config_args["here"] = folder_of(name) if name else "."
        parser = configparser.ConfigParser(self.config_args)
        if not name:
            parser.add_section(self.config_ini_section)
        elif os.path.isfile(name):
            read_ini(parser, os.fspath(name))
        return parser

    if TYPE_CHECKING:  # a dict default gives a dict (env.py's engine_from_config wants one)

        @overload
        def get_section(self, name: str, default: dict[str, str]) -> dict[str, str]: ...

        @overload
        def get_section(
            self, name: str, default: Mapping[str, str] | None = None
        ) -> Mapping[str, str] | None: ...

    def get_section(
        self, name: str, default: Mapping[str, str] | None = None
    ) -> Mapping[str, str] | None:
        """All options of an ini section, with ``%(...)s`` substitutions done.

        Args:
            name: The section's name (``config.config_ini_section`` for the main one).
            default: What to return when the file has no such section.

        Returns:
            The options as a dict of strings, or ``default``.
        """
        parser = self.file_config
        if not parser.has_section(name):
            return default
        return {key: self._interpolated(name, key) for key in parser.options(name)}

    def set_main_option(self, name: str, value: str) -> None:
        """Set an option of the main ini section, in memory (the file is not written).

        Args:
            name: The option's name.
            value: Its value; ``%(...)s`` substitutions apply when it is read, so a literal
                ``%`` must be written ``%%``.

        Raises:
            ConfigError: The value is not valid for the ini parser (a lone ``%``).
        """
        self.set_section_option(self.config_ini_section, name, value)

    def remove_main_option(self, name: str) -> None:
        """Remove an option from the main ini section, in memory; nothing happens if absent.

        Args:
            name: The option's name.
        """
        self.file_config.remove_option(self.config_ini_section, name)

    def set_section_option(self, section: str, name: str, value: str) -> None:
        """Set an option of any ini section, in memory, creating the section if needed.

        Args:
            section: The section's name.
            name: The option's name.
            value: Its value (``%`` written ``%%``, as for :meth:`set_main_option`).

        Raises:
            ConfigError: The value is not valid for the ini parser.
        """
        parser = self.file_config
        if not parser.has_section(section):
            parser.add_section(section)
        try:
            parser.set(section, name, value)
        except ValueError as exc:
            raise ConfigError(f"option {name!r} in section [{section}]: {exc}") from None

    def get_section_option(self, section: str, name: str, default: str | None = None) -> str | None:
        """One option of an ini section, with ``%(...)s`` substitutions done.

        Args:
            section: The section's name.
            name: The option's name.
            default: What to return when the section lacks the option.

        Returns:
            The option's value, or ``default``.

        Raises:
            ConfigError: The section does not exist (or the file does not), or a substitution
                fails.
        """
        parser = self.file_config
        if not parser.has_section(section):
            raise ConfigError(self._missing_section_message(section))
        if not parser.has_option(section, name):
            return default
        return self._interpolated(section, name)

    if TYPE_CHECKING:

        @overload
        def get_main_option(self, name: str, default: str) -> str: ...

        @overload
        def get_main_option(self, name: str, default: str | None = None) -> str | None: ...

    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        """One option of the main ini section (``[alembic]``, or the one ``-n`` names).

        Only the ini file is read; :meth:`get_alembic_option` also reads ``[tool.alembic]``.
        ``env.py`` uses it for ``sqlalchemy.url`` and for settings of its own.

        Args:
            name: The option's name.
            default: What to return when the option is not set.

        Returns:
            The option's value, or ``default``.

        Raises:
            ConfigError: The main section does not exist, or a substitution fails.
        """
        return self.get_section_option(self.config_ini_section, name, default)

    def _interpolated(self, section: str, name: str) -> str:
        try:
            return self.file_config.get(section, name)
        except configparser.Error as exc:
            problem = " ".join(str(exc).split())
            raise ConfigError(
                f"{self._ini_label()}: option {name!r} in section [{section}]: {problem}"
            ) from None

    def _ini_label(self) -> str:
        return self.config_file_name or "<in-memory configuration>"

    def _missing_section_message(self, section: str) -> str:
        name = self.config_file_name
        if name and not os.path.isfile(name):
            return f"No config file {name!r} found"
        return f"Config file {self._ini_label()!r} has no [{section}] section"

    def require(self) -> None:
        """Fail clearly when there is neither a main ini section nor ``[tool.alembic]``.

        Commands that read the project call this first, so that a missing ``alembic.ini``
        is reported as such rather than as a missing option.

        Raises:
            ConfigError: Neither file provides the configuration; the message names the file
                looked for.
        """
        if self.file_config.has_section(self.config_ini_section):
            return
        if self.toml_alembic_config:
            return
        message = self._missing_section_message(self.config_ini_section)
        if self.toml_file_name and message.startswith("No config file"):
            message += f" (and no [tool.alembic] in {self.toml_file_name!r})"
        raise ConfigError(message)

    # ------------------------------------------------------------------ toml file

    @cached_property
    def toml_alembic_config(self) -> Mapping[str, Any]:
        """The ``[tool.alembic]`` table of ``pyproject.toml``, as parsed (empty when absent).

        Raises:
            ConfigError: The file is not valid TOML, or ``tool.alembic`` is not a table.
        """
        if not self.toml_file_name:
            return {}
        path = os.fspath(self.toml_file_name)
        if not os.path.isfile(path):
            return {}
        self.toml_args["here"] = folder_of(path)
        data = read_toml(path)
        tool = data.get("tool", {})
        section = tool.get("alembic", {}) if isinstance(tool, dict) else {}
        if not isinstance(section, dict):
            raise ConfigError(f"{self.toml_file_name}: [tool.alembic] must be a table")
        return section

    def _get_toml_config_value(self, name: str, default: Any = None) -> Any:
        table = self.toml_alembic_config
        if name not in table:
            return default
        value = table[name]
        try:
            return self._toml_interpolate(value)
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigError(
                f"{self.toml_file_name}: [tool.alembic] {name}: bad %(...)s substitution ({exc!s})"
            ) from None

    def _toml_interpolate(self, value: Any) -> Any:
        if isinstance(value, str):
            return value % self.toml_args
        if isinstance(value, bool | int | float) or value is None:
            return value
        if isinstance(value, list):
            return [self._toml_interpolate(item) for item in value]
        if isinstance(value, dict):
            return {key: self._toml_interpolate(item) for key, item in value.items()}
        raise TypeError(f"unsupported value type {type(value).__name__}")

    # ------------------------------------------------------------------ both

    if TYPE_CHECKING:

        @overload
        def get_alembic_option(self, name: str, default: str) -> str: ...

        @overload
        def get_alembic_option(self, name: str, default: str | None = None) -> str | None: ...

    def get_alembic_option(self, name: str, default: str | None = None) -> Any:
        """A migration setting: from the main ini section, else from ``[tool.alembic]``.

        The ini file wins when both define the option.  Values read from TOML keep their TOML
        type (a list for ``version_locations``, an int for ``truncate_slug_length``, a bool for
        ``sourceless``...); values from the ini file are strings.

        Args:
            name: The option's name (see the configuration reference for the known ones).
            default: What to return when neither file sets it.

        Returns:
            The option's value, or ``default``.

        Raises:
            ConfigError: A substitution in either file fails.
        """
        parser = self.file_config
        if parser.has_option(self.config_ini_section, name):
            return self._interpolated(self.config_ini_section, name)
        return self._get_toml_config_value(name, default)

    def get_alembic_boolean_option(self, name: str) -> bool:
        """A boolean setting: from the main ini section, else from ``[tool.alembic]``.

        Args:
            name: The option's name.

        Returns:
            The value; ``False`` when neither file sets it.

        Raises:
            ConfigError: The ini value is not a boolean word (``true``/``false``, ``yes``/``no``,
                ``on``/``off``, ``1``/``0``), or the TOML value is not a TOML boolean.
        """
        parser = self.file_config
        if parser.has_option(self.config_ini_section, name):
            value = self._interpolated(self.config_ini_section, name)
            return parse_bool(value, f"{self._ini_label()}: option {name!r}")
        value = self.toml_alembic_config.get(name, False)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.toml_file_name}: [tool.alembic] {name} must be true or false")
        return value

    def _separator(self, *names: str) -> str | None:
        """The split character named by the first of ``names`` set in the ini file."""
        for name in names:
            value = self.get_main_option(name)
            if value is not None:
                break
        else:
            return None
        try:
            sep = _SEPARATORS[value]
        except KeyError:
            raise ConfigError(
                f"{self._ini_label()}: {value!r} is not a valid value for {name}; "
                "expected 'os', ':', ';', 'space' or 'newline'"
            ) from None
        if name == "version_path_separator":
            warnings.warn(
                "version_path_separator is deprecated; use path_separator instead",
                DeprecationWarning,
                stacklevel=3,
            )
        return sep

    def _toml_path_list(self, name: str) -> list[str] | None:
        value = self._get_toml_config_value(name, None)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"{self.toml_file_name}: [tool.alembic] {name} must be a list of strings"
            )
        return list(value)

    def _split_paths(self, text: str, names: tuple[str, ...], legacy: re.Pattern[str]) -> list[str]:
        sep = self._separator(*names)
        if sep is None:
            warnings.warn(
                "No path_separator found in the configuration; splitting on spaces, commas "
                "(and colons for prepend_sys_path) as older Alembic versions did. "
                "Add 'path_separator = os' to the ini file.",
                DeprecationWarning,
                stacklevel=3,
            )
            return [part for part in legacy.split(text) if part]
        return [part.strip() for part in text.split(sep) if part.strip()]

    def get_version_locations_list(self) -> list[str] | None:
        """The ``version_locations`` setting as a list of folders.

        In the ini file the value is split by ``path_separator`` (or, without it, by the older
        rules, with a deprecation warning); in TOML it is a list already.

        Returns:
            The folders as written (``%(here)s`` substituted), or ``None`` when not configured.

        Raises:
            ConfigError: An unknown ``path_separator``, or a TOML value that is not a list of
                strings.
        """
        text = self.file_config.get(self.config_ini_section, "version_locations", fallback=None)
        if text:
            return self._split_paths(
                text, ("path_separator", "version_path_separator"), _LEGACY_LOCATION_SPLIT
            )
        return self._toml_path_list("version_locations")

    def get_prepend_sys_paths_list(self) -> list[str] | None:
        """The ``prepend_sys_path`` setting as a list of folders, split as
        :meth:`get_version_locations_list` splits its value.

        Returns:
            The folders, or ``None`` when not configured.

        Raises:
            ConfigError: An unknown ``path_separator``, or a TOML value that is not a list of
                strings.
        """
        text = self.file_config.get(self.config_ini_section, "prepend_sys_path", fallback=None)
        if text:
            return self._split_paths(text, ("path_separator",), _LEGACY_SYS_PATH_SPLIT)
        return self._toml_path_list("prepend_sys_path")

    def get_hooks_list(self) -> list[dict[str, str]]:
        """The post-write hooks, in the order they run.

        Read from the ini file's ``[post_write_hooks]`` section when it exists, else from the
        ``[[tool.alembic.post_write_hooks]]`` tables.

        Returns:
            One dict per hook: its options (``type``, ``options``, ...) plus ``_hook_name``.

        Raises:
            ConfigError: The TOML entries are not tables, or one has no ``name``.
        """
        if self.file_config.has_section("post_write_hooks"):
            return self._ini_hooks()
        entries = self._get_toml_config_value("post_write_hooks", [])
        if not isinstance(entries, list):
            raise ConfigError(
                f"{self.toml_file_name}: [[tool.alembic.post_write_hooks]] must be an array "
                "of tables"
            )
        hooks: list[dict[str, str]] = []
        for entry in entries:
            if not isinstance(entry, dict) or "name" not in entry:
                raise ConfigError(
                    f"{self.toml_file_name}: each [[tool.alembic.post_write_hooks]] entry "
                    "needs a 'name'"
                )
            options = {key: str(value) for key, value in entry.items() if key != "name"}
            options["_hook_name"] = str(entry["name"])
            hooks.append(options)
        return hooks

    def _ini_hooks(self) -> list[dict[str, str]]:
        section = self.get_section("post_write_hooks", {}) or {}
        hooks: list[dict[str, str]] = []
        for name in _HOOK_NAMES_SPLIT.split(section.get("hooks", "")):
            if not name:
                continue
            prefix = name + "."
            options = {
                key[len(prefix) :]: value
                for key, value in section.items()
                if key.startswith(prefix)
            }
            options["_hook_name"] = name
            hooks.append(options)
        return hooks

    # ------------------------------------------------------------------ templates

    def get_template_directory(self) -> str:
        """The folder holding the templates shipped with Sterna (what ``init`` copies).

        Returns:
            The folder's path.
        """
        return os.path.join(folder_of(__file__), "templates")


def folder_of(name: str | os.PathLike[str]) -> str:
    """``Path(name).absolute().parent.as_posix()`` (what ``%(here)s`` is, as in Alembic),
    without importing :mod:`pathlib` on POSIX systems."""
    text = os.fspath(name)
    if os.name != "posix" or not text or text.startswith("//"):
        from pathlib import Path  # the rare cases: Path's own rules

        return Path(text).absolute().parent.as_posix()
    if not text.startswith("/"):
        text = f"{os.getcwd()}/{text}"
    parts = [part for part in text.split("/") if part and part != "."]
    return "/" + "/".join(parts[:-1])
