"""docs/configuration.md documents every configuration key the code reads.

The keys are collected from the source, not from a list kept by hand: an ``ast`` scan of
``sterna/`` (the shipped env.py templates included) for string literals passed to the
configuration getters (``get_main_option``, ``get_alembic_option``, ``get_section_option``,
``file_config.get``, the helpers that wrap them...), for the post-write hook options, for the
``config.attributes`` keys the runtime reads, and for the ``sterna_*`` options read from
``context.configure()``.  A key the code starts reading fails this test until the page names
it (in backticks); a key the page lists in a table that the code no longer reads fails too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import sterna

PACKAGE = Path(sterna.__file__).parent
PAGE = PACKAGE.parent / "docs" / "configuration.md"

#: getter name -> the position of the argument that names the key (None: every argument)
KEY_GETTERS: dict[str, int | None] = {
    "get_main_option": 0,
    "get_alembic_option": 0,
    "get_alembic_boolean_option": 0,
    "get_section_option": 1,
    "_get_toml_config_value": 0,
    "_toml_path_list": 0,
    "_separator": None,
    "_split_paths": 1,
    "_boolean": 1,  # sterna/script/_locations.py
    "_ini": 1,  # sterna/runtime/lock.py
    "_required": 1,  # sterna/hooks.py: a hook's required option
}
#: getter name -> the position of the argument that names an ini section
SECTION_GETTERS = {"get_section": 0}
#: ``<receiver>.get(key)`` read as a configuration key, per file (relative to sterna/):
#: the ini parser itself, the ``[post_write_hooks]`` section and one hook's options
RECEIVER_GETS: dict[str, frozenset[str]] = {
    "config.py": frozenset({"file_config", "section"}),
    "hooks.py": frozenset({"options", "hook"}),
}
#: ``file_config.get(section, key)``: the key is the second argument
SECOND_ARGUMENT_RECEIVERS = frozenset({"file_config"})
#: receivers of ``context.configure()``'s options (Sterna's own keys start with ``sterna_``)
CONFIGURE_RECEIVERS = frozenset({"extra", "kwargs", "kw", "opts"})
#: internal keys that are not settings
INTERNAL = frozenset({"_hook_name"})


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"`` constants, so that ``getter(NAME)`` counts too."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _strings(node: ast.AST, constants: dict[str, str]) -> Iterator[str]:
    """The string literals an argument holds (itself, or the items of a tuple/list)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Name) and node.id in constants:
        yield constants[node.id]
    elif isinstance(node, ast.Tuple | ast.List):
        for item in node.elts:
            yield from _strings(item, constants)


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _arguments(call: ast.Call, position: int | None) -> list[ast.expr]:
    if position is None:
        return list(call.args)
    return [call.args[position]] if len(call.args) > position else []


def _call_keys(call: ast.Call, relative: str, constants: dict[str, str]) -> Iterator[str]:
    func = call.func
    name = _name_of(func)
    if name in KEY_GETTERS:
        for arg in _arguments(call, KEY_GETTERS[name]):
            yield from _strings(arg, constants)
    if name in SECTION_GETTERS:
        for arg in _arguments(call, SECTION_GETTERS[name]):
            yield from (f"[{section}]" for section in _strings(arg, constants))
    if not (isinstance(func, ast.Attribute) and func.attr in ("get", "pop")):
        return
    receiver = _name_of(func.value)
    if receiver in RECEIVER_GETS.get(relative, ()):
        position = 1 if receiver in SECOND_ARGUMENT_RECEIVERS else 0
        for arg in _arguments(call, position):
            yield from _strings(arg, constants)
    if receiver == "attributes":
        yield from (key for arg in _arguments(call, 0) for key in _strings(arg, constants))
    if receiver in CONFIGURE_RECEIVERS:
        for arg in _arguments(call, 0):
            yield from (key for key in _strings(arg, constants) if key.startswith("sterna_"))


def _subscript_keys(node: ast.Subscript, constants: dict[str, str]) -> Iterator[str]:
    """``config.attributes[KEY]`` read (or tested with ``in``) by the runtime."""
    if _name_of(node.value) == "attributes" and isinstance(node.ctx, ast.Load):
        yield from _strings(node.slice, constants)


def keys_read_by_the_code() -> dict[str, set[str]]:
    """Each key (``[section]`` for a section) with the files that read it."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_strings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                keys = list(_call_keys(node, relative, constants))
            elif isinstance(node, ast.Subscript):
                keys = list(_subscript_keys(node, constants))
            else:
                continue
            for key in keys:
                if key not in INTERNAL:
                    found.setdefault(key, set()).add(relative)
    return found


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def documented_names(text: str) -> set[str]:
    """Every `code span` of the page, and the ``[section]`` headers its ini examples show."""
    spans = set(re.findall(r"`([^`\n]+)`", text))
    return spans | {f"[{name}]" for name in re.findall(r"\[([\w.]+)\]", text)}


def table_keys(text: str) -> set[str]:
    """The keys the page's tables list: a first cell that is one code span (not an option)."""
    return set(re.findall(r"(?m)^\|\s*`([^`\s-][^`\s]*)`\s*\|", text))


def test_the_scan_finds_the_keys_of_each_kind() -> None:
    """The scan itself works: one key of each source is found (else the next test proves
    nothing)."""
    found = keys_read_by_the_code()
    for key in (
        "script_location",  # get_alembic_option
        "sqlalchemy.url",  # get_main_option in env.py templates
        "path_separator",  # _separator
        "version_locations",  # file_config.get / _toml_path_list
        "sourceless",  # _boolean
        "sterna_lock_timeout",  # _ini
        "entrypoint",  # a hook's _required option
        "[post_write_hooks]",  # get_section
        "sterna.accept_renames",  # config.attributes[OPTION]
        "sterna.resume",  # attributes.get
    ):
        assert key in found, f"the scan no longer finds {key!r}; fix the scan"


def test_every_key_the_code_reads_is_documented() -> None:
    documented = documented_names(_page())
    missing = {
        key: sorted(files)
        for key, files in sorted(keys_read_by_the_code().items())
        if key not in documented
    }
    assert not missing, (
        f"{PAGE.name} does not document these keys (key: files reading it): {missing}"
    )


def test_every_key_in_the_tables_is_read_by_the_code() -> None:
    """A key documented in a table but never read (removed, renamed, misspelt) fails."""
    read = set(keys_read_by_the_code())
    stale = sorted(key for key in table_keys(_page()) if key not in read)
    assert not stale, f"{PAGE.name} lists keys the code does not read: {stale}"


@pytest.mark.parametrize(
    "source, expected",
    [
        ('config.get_main_option("zz_main")', "zz_main"),
        ('config.get_section_option(name, "zz_section_key")', "zz_section_key"),
        ('self._separator("zz_a", "zz_b")', "zz_b"),
        ('attributes.get("sterna.zz")', "sterna.zz"),
        ('extra.get("sterna_zz")', "sterna_zz"),
    ],
)
def test_the_scan_reads_each_getter_shape(source: str, expected: str) -> None:
    """A getter call of each shape yields its key (checked on a snippet, not on the package)."""
    call = ast.parse(source).body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert expected in set(_call_keys(call.value, "elsewhere.py", {}))
