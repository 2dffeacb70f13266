"""``init`` and ``list_templates``: creating a migration environment from a template.

A template is a folder under ``sterna/templates``: its ``README`` (first line = synopsis), the
files copied into the new scripts folder (``env.py``, ``script.py.mako``, ``README``), and the
config files rendered next to them: ``alembic.ini.mako`` (written to the ini path of the
Config unless that file exists) and, for the pyproject templates, ``pyproject.toml.mako``
(appended to an existing ``pyproject.toml`` that has no ``[tool.alembic]`` yet).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from sterna.config import Config
from sterna.config_files import read_toml
from sterna.errors_commands import TemplateError
from sterna.util.messaging import msg, status

INI_TEMPLATE = "alembic.ini.mako"
TOML_TEMPLATE = "pyproject.toml.mako"
#: the imports ``init --alembic-imports`` writes as ``from alembic import ...`` (env.py's
#: ``context``, script.py.mako's ``op``), so that Alembic itself can run the project
_STERNA_IMPORT = re.compile(r"^from sterna import (context|op)\b", re.MULTILINE)


def template_names(config: Config) -> list[str]:
    """The names of the available templates, sorted."""
    root = Path(config.get_template_directory())
    return sorted(p.name for p in root.iterdir() if (p / "README").is_file())


def list_templates(config: Config) -> None:
    """Print each template with the first line of its README."""
    root = Path(config.get_template_directory())
    config.print_stdout("Available templates:\n")
    for name in template_names(config):
        with (root / name / "README").open(encoding="utf-8") as readme:
            synopsis = readme.readline().rstrip()
        config.print_stdout("%s - %s", name, synopsis)
    config.print_stdout("\nTemplates are used via the 'init' command, e.g.:")
    config.print_stdout("\n  sterna init --template generic ./scripts")


def _script_location(directory: Path, config_file: str | None) -> str:
    """How the config file refers to ``directory``: ``%(here)s/<relative>`` unless absolute."""
    if directory.is_absolute() or config_file is None:
        return directory.as_posix()
    base = Path(config_file).absolute().parent
    relative = Path(os.path.relpath(directory.absolute(), base))
    return ("%(here)s" / relative).as_posix()


def _render(source: Path, **values: str) -> str:
    from mako.template import Template  # type: ignore[import-untyped, unused-ignore]

    text: str = Template(filename=str(source)).render_unicode(**values)
    return text


def _write_new(source: Path, dest: Path, quiet: bool, **values: str) -> None:
    with status(f"Generating {dest.absolute()}", quiet=quiet):
        dest.write_text(_render(source, **values), encoding="utf-8")


def _write_ini(config: Config, source: Path, directory: Path, quiet: bool) -> Path:
    if config.config_file_name is None:
        raise TemplateError("init needs the name of the ini file to write (-c)")
    ini = Path(config.config_file_name).absolute()
    if ini.exists():
        msg(f"File {ini} already exists, skipping", quiet=quiet)
    else:
        location = _script_location(directory, config.config_file_name)
        _write_new(source, ini, quiet, script_location=location)
    return ini


def _write_toml(config: Config, source: Path, directory: Path, quiet: bool) -> Path:
    toml = Path(config.toml_file_name or "pyproject.toml").absolute()
    location = _script_location(directory, str(toml))
    if not toml.exists():
        _write_new(source, toml, quiet, script_location=location)
        return toml
    tool = read_toml(toml).get("tool", {})
    if isinstance(tool, dict) and "alembic" in tool:
        msg(
            f"File {toml} already exists and already has a [tool.alembic] section, skipping",
            quiet=quiet,
        )
        return toml
    with status(f"Appending to existing {toml}", quiet=quiet):
        existing = toml.read_text(encoding="utf-8")
        rendered = _render(source, script_location=location)
        toml.write_text(f"{existing}\n\n{rendered}", encoding="utf-8")
    return toml


def _check_target(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise TemplateError(f"{directory} exists and is not a directory")
    if directory.exists() and any(directory.iterdir()):
        raise TemplateError(f"Directory {directory} already exists and is not empty")


def _template_folder(config: Config, template: str) -> Path:
    folder = Path(config.get_template_directory()) / template
    if not template or "/" in template or not (folder / "README").is_file():
        known = ", ".join(template_names(config))
        raise TemplateError(f"No such template {template!r}; available templates: {known}")
    return folder


def _copy(source: Path, dest: Path, alembic_imports: bool) -> None:
    if not alembic_imports:
        shutil.copyfile(source, dest)
        return
    text = source.read_text(encoding="utf-8")
    dest.write_text(_STERNA_IMPORT.sub(r"from alembic import \1", text), encoding="utf-8")


def init(
    config: Config,
    directory: str,
    template: str = "generic",
    package: bool = False,
    alembic_imports: bool = False,
) -> None:
    """Create the scripts folder ``directory`` and the config file(s) from ``template``;
    with ``alembic_imports``, env.py and script.py.mako import ``context`` and ``op`` from
    ``alembic`` (the project then runs under Alembic as well as under Sterna)."""
    quiet = config.messaging_opts["quiet"]
    target = Path(directory)
    _check_target(target)
    source = _template_folder(config, template)

    if not target.exists():
        with status(f"Creating directory {target.absolute()}", quiet=quiet):
            target.mkdir(parents=True)
    versions = target / "versions"
    with status(f"Creating directory {versions.absolute()}", quiet=quiet):
        versions.mkdir()

    for path in sorted(source.iterdir()):
        if path.name in (INI_TEMPLATE, TOML_TEMPLATE) or not path.is_file():
            continue
        dest = target / path.name
        with status(f"Generating {dest.absolute()}", quiet=quiet):
            _copy(path, dest, alembic_imports)

    toml = None
    if (source / TOML_TEMPLATE).is_file():
        toml = _write_toml(config, source / TOML_TEMPLATE, target, quiet)
    ini = _write_ini(config, source / INI_TEMPLATE, target, quiet)

    if package:
        for init_file in (target.absolute() / "__init__.py", versions.absolute() / "__init__.py"):
            with status(f"Adding {init_file}", quiet=quiet):
                init_file.touch()

    if toml is not None:
        msg(
            f"Please edit configuration settings in {toml} and configuration/connection/logging "
            f"settings in {ini} before proceeding.",
            quiet=quiet,
        )
    else:
        msg(
            f"Please edit configuration/connection/logging settings in {ini} before proceeding.",
            quiet=quiet,
        )
