"""Post-write hooks: programs run on each new revision script after it is written.

Configured as in Alembic, either in the ini file::

    [post_write_hooks]
    hooks = fmt, lint
    fmt.type = exec
    fmt.executable = ruff
    fmt.options = format REVISION_SCRIPT_FILENAME

or as ``[[tool.alembic.post_write_hooks]]`` tables in ``pyproject.toml`` (``name = "fmt"``,
``type = "exec"``...).  :meth:`sterna.config.Config.get_hooks_list` reads either form into dicts
carrying ``_hook_name``.  Built-in types: ``console_scripts`` (``entrypoint``), ``exec``
(``executable``) and ``module`` (``module``); each accepts ``options`` (the token
``REVISION_SCRIPT_FILENAME`` stands for the script's path and is put first when absent) and
``cwd``.  Projects can add types with :func:`register`.

Unlike Alembic, a hook that exits with a non-zero status is an error naming the hook (the new
script stays where it was written).
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence

from sterna.errors_script import HookError
from sterna.util.messaging import status

REVISION_SCRIPT_TOKEN = "REVISION_SCRIPT_FILENAME"

HookFunction = Callable[[str, Mapping[str, str]], None]
_registry: dict[str, HookFunction] = {}


def register(name: str) -> Callable[[HookFunction], HookFunction]:
    """Decorator registering ``fn(path, options)`` as the hook type ``name``."""

    def decorate(fn: HookFunction) -> HookFunction:
        _registry[name] = fn
        return fn

    return decorate


def run_hooks(
    path: str | os.PathLike[str], hooks: Sequence[Mapping[str, str]], *, quiet: bool = False
) -> None:
    """Run each configured hook on the script at ``path``, in order."""
    script = os.fspath(path)
    for hook in hooks:
        name = hook.get("_hook_name", "?")
        type_ = hook.get("type")
        if not type_:
            raise HookError(name, f"option '{name}.type' (or 'type' in toml) is required")
        try:
            fn = _registry[type_]
        except KeyError:
            known = ", ".join(sorted(_registry))
            raise HookError(name, f"unknown type {type_!r} (known types: {known})") from None
        with status(f"Running post write hook {name!r}", quiet=quiet, newline=True):
            fn(script, hook)


def command_line_options(options: str, path: str) -> list[str]:
    """Split ``options`` like a shell would and put ``path`` in place of the token.

    When the token does not occur, the path is passed as the first argument.
    """
    if REVISION_SCRIPT_TOKEN not in options:
        options = f"{REVISION_SCRIPT_TOKEN} {options}"
    words = shlex.split(options, posix=os.name == "posix")
    return [word.replace(REVISION_SCRIPT_TOKEN, path) for word in words]


def _required(options: Mapping[str, str], key: str) -> str:
    value = options.get(key)
    if not value:
        name = options.get("_hook_name", "?")
        raise HookError(name, f"option '{name}.{key}' is required")
    return value


def _run(path: str, options: Mapping[str, str], command: list[str]) -> None:
    name = options.get("_hook_name", "?")
    argv = [*command, *command_line_options(options.get("options", ""), path)]
    cwd = options.get("cwd") or None
    sys.stdout.flush()
    try:
        completed = subprocess.run(argv, cwd=cwd, check=False)
    except OSError as exc:
        raise HookError(name, f"cannot run {argv[0]!r}: {exc.strerror or exc}") from None
    if completed.returncode != 0:
        raise HookError(
            name,
            f"{shlex.join(argv)} exited with status {completed.returncode}; "
            f"the new script {path} was kept as written",
        )


@register("console_scripts")
def console_scripts(path: str, options: Mapping[str, str]) -> None:
    """Run an installed Python console script (``entrypoint``) with this interpreter."""
    from importlib.metadata import entry_points  # slow to import; needed only here

    wanted = _required(options, "entrypoint")
    for entry in entry_points(group="console_scripts"):
        if entry.name == wanted:
            break
    else:
        raise HookError(
            options.get("_hook_name", "?"),
            f"no console_scripts entry point named {wanted!r} is installed",
        )
    module, _, attr = entry.value.partition(":")
    module = module.strip()
    attr = attr.strip() or "main"
    top = attr.split(".")[0]
    code = f"import sys; from {module} import {top}; sys.exit({attr}())"
    _run(path, options, [sys.executable, "-c", code])


@register("exec")
def exec_(path: str, options: Mapping[str, str]) -> None:
    """Run an executable (a name found on PATH, or a path)."""
    _run(path, options, [_required(options, "executable")])


@register("module")
def module(path: str, options: Mapping[str, str]) -> None:
    """Run ``python -m <module>`` with this interpreter."""
    name = _required(options, "module")
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise HookError(options.get("_hook_name", "?"), f"module {name!r} cannot be found")
    _run(path, options, [sys.executable, "-m", name])
