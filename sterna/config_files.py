"""Reading the configuration files: the ini file into a ``ConfigParser`` and ``pyproject.toml``
into a dict, each failure a one-line :class:`~sterna.errors.ConfigError` naming the file (and the
line when the parser knows it).  Standard library only; used by :mod:`sterna.config`.
"""

from __future__ import annotations

import configparser
import os
import sys

from sterna.errors_config import ConfigError

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def read_ini(parser: configparser.ConfigParser, path: str) -> None:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        # a leading byte-order mark is dropped, as the utf-8-sig codec (slower to import) does
        text = (raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw).decode("utf-8")
        if "\r" in text:  # universal newlines, as a file opened in text mode reads them
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        parser.read_string(text, source=path)
    except configparser.MissingSectionHeaderError as exc:
        raise ConfigError(
            f"{path}, line {exc.lineno}: expected a [section] header before {exc.line.strip()!r}"
        ) from None
    except configparser.ParsingError as exc:
        lineno, line = exc.errors[0] if exc.errors else (0, "")
        raise ConfigError(f"{path}, line {lineno}: cannot parse {_unrepr(line)!r}") from None
    except configparser.DuplicateSectionError as exc:
        raise ConfigError(
            f"{path}, line {exc.lineno}: section [{exc.section}] appears twice"
        ) from None
    except configparser.DuplicateOptionError as exc:
        raise ConfigError(
            f"{path}, line {exc.lineno}: option {exc.option!r} appears twice in "
            f"section [{exc.section}]"
        ) from None
    except configparser.Error as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError(f"{path}: {problem}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def _unrepr(text: str) -> str:
    """configparser reports bad lines as ``repr(line)``; show the line itself."""
    import ast  # only for this error message

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text.strip()
    return value.strip() if isinstance(value, str) else text.strip()


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The parsed TOML file ``path``; a ConfigError naming the file (and line) otherwise."""
    if sys.version_info >= (3, 11):  # imported here: slow, and only needed with a toml file
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
