"""Write the type stubs of the proxy modules: ``sterna/op.pyi`` and ``sterna/context.pyi``.

``sterna.op`` and ``sterna.context`` forward every attribute to the object a run installs (an
``Operations``, an ``EnvironmentContext``), so type checkers and editors see nothing in them.  The
stubs declare, as module-level functions, the public methods of those classes with their real
parameters, annotations and docstrings, read here from the classes themselves:

* the members are the public names of the class (``inspect.getattr_static``: plain, static and
  class methods, and overloads from ``typing.get_overloads``); ``context`` also gets the
  attributes the class annotates (``config``, ``script``...);
* annotations are the source text (every module of Sterna uses ``from __future__ import
  annotations``); each name in them is imported in the stub from where the defining module
  imports it (its ``TYPE_CHECKING`` imports included), or from that module when it defines it;
* defaults are written when they are plain literals, ``...`` otherwise;
* the text is then put through ``ruff`` (import order, then format), as the rest of the package.

``python tools/gen_stubs.py`` rewrites the stubs (``./dev stubs``); ``--check`` only says which
are stale (exit status 1), as ``tests/test_stubs.py`` does.  Run it in a fresh interpreter: an
operation a program registered with ``Operations.register_operation`` would otherwise be written
into the stub.  Needs Python 3.11+ (``typing.get_overloads``).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import importlib
import inspect
import shutil
import subprocess
import sys
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HEADER = "# Written by tools/gen_stubs.py from {source}; do not edit: run ./dev stubs.\n"


class StubError(Exception):
    """A member the generator cannot write faithfully (one line naming it)."""


@dataclass(frozen=True)
class StubSpec:
    """One stub: the module it types and the class whose members it declares."""

    path: str  # relative to the repository
    class_path: str  # "module:Class"
    docstring: str
    with_attributes: bool


SPECS = (
    StubSpec(
        "sterna/op.pyi",
        "sterna.operations.base:Operations",
        "``from sterna import op``: the operations of the running migration.\n\n"
        "Each function is the method of the same name of the ``Operations`` object that the\n"
        "running migration step installs (``sterna.operations.Operations``); called outside a\n"
        "step, it raises ``sterna.errors.ProxyNotActive``.",
        with_attributes=False,
    ),
    StubSpec(
        "sterna/context.pyi",
        "sterna.runtime.environment:EnvironmentContext",
        "``from sterna import context``: env.py's view of the running environment.\n\n"
        "Each function is the method of the same name of the ``EnvironmentContext`` that the\n"
        "command running env.py installs (``sterna.runtime.environment.EnvironmentContext``);\n"
        "outside such a run, a call raises ``sterna.errors.ProxyNotActive``.",
        with_attributes=True,
    ),
)


# -- where the names used in annotations come from ----------------------------------------------


@dataclass
class Imports:
    """The import lines a stub needs, and the TypeVars it must define."""

    lines: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (module, name)
    typevars: dict[str, str] = field(default_factory=dict)  # name -> its definition

    def need(self, local: str, module: str, name: str) -> None:
        known = self.lines.get(local)
        if known is not None and known != (module, name):
            raise StubError(f"the name {local!r} means both {known} and {(module, name)}")
        self.lines[local] = (module, name)

    def render(self) -> str:
        lines = []
        for local, (module, name) in sorted(self.lines.items()):
            if not name:
                lines.append(f"import {module}" + ("" if local == module else f" as {local}"))
            else:
                alias = "" if local == name else f" as {local}"
                lines.append(f"from {module} import {name}{alias}")
        return "\n".join(lines) + "\n"


_IMPORT_MAPS: dict[str, dict[str, tuple[str, str]]] = {}


def import_map(module_name: str) -> dict[str, tuple[str, str]]:
    """Local name -> ``(module, name)`` for the module's top-level and ``if`` block imports
    (``name`` empty for ``import x``)."""
    found = _IMPORT_MAPS.get(module_name)
    if found is not None:
        return found
    module = sys.modules[module_name]
    tree = ast.parse(inspect.getsource(module))
    result: dict[str, tuple[str, str]] = {}
    for node in _top_level(tree.body):
        if isinstance(node, ast.ImportFrom):
            if node.level or node.module is None:
                raise StubError(f"{module_name}: relative imports are not supported")
            for alias in node.names:
                result[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                result[alias.asname or alias.name.split(".")[0]] = (alias.name, "")
    _IMPORT_MAPS[module_name] = result
    return result


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)


def annotation_names(text: str) -> set[str]:
    """The names an annotation's text refers to (the first part of dotted names)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise StubError(f"annotation {text!r} is not an expression") from exc
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def resolve(name: str, module_name: str, imports: Imports, where: str) -> None:
    """Make ``name``, as the module ``module_name`` sees it, available in the stub."""
    if hasattr(builtins, name):
        return
    imported = import_map(module_name).get(name)
    if imported is not None:
        module, original = imported
        imports.need(name, module, original)
        return
    module = sys.modules[module_name]
    if not hasattr(module, name):
        raise StubError(f"{where}: the annotation name {name!r} is not known in {module_name}")
    value = getattr(module, name)
    if isinstance(value, typing.TypeVar):
        definition = _assignment_source(module_name, name, where)
        imports.typevars[name] = definition
        for used in annotation_names(definition.partition("=")[2].strip()):
            resolve(used, module_name, imports, where)
    elif name.startswith("_"):
        raise StubError(f"{where}: {module_name}.{name} is private")
    else:
        imports.need(name, module_name, name)


def _assignment_source(module_name: str, name: str, where: str) -> str:
    """The source line ``name = ...`` of a module-level assignment (a TypeVar's definition)."""
    source = inspect.getsource(sys.modules[module_name])
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            segment = ast.get_source_segment(source, node)
            if segment is not None:
                return segment
    raise StubError(f"{where}: no assignment of {name} in {module_name}")


# -- signatures ----------------------------------------------------------------------------------


_SAFE_DEFAULTS = (type(None), bool, int, float, str)


def render_default(value: Any) -> str:
    """A default as source text: plain literals as they are, anything else ``...``."""
    if isinstance(value, _SAFE_DEFAULTS) and not (isinstance(value, float) and value != value):
        return repr(value)
    if isinstance(value, tuple) and all(isinstance(v, _SAFE_DEFAULTS) for v in value):
        return repr(value)
    return "..."


def annotation_text(annotation: Any, where: str) -> str:
    if annotation is inspect.Parameter.empty:
        raise StubError(f"{where}: missing annotation")
    if not isinstance(annotation, str):
        raise StubError(f"{where}: annotation {annotation!r} is not source text")
    return annotation


def render_parameters(sig: inspect.Signature, where: str, note: Callable[[str], None]) -> str:
    parts: list[str] = []
    kind = inspect.Parameter
    starred = any(p.kind == kind.VAR_POSITIONAL for p in sig.parameters.values())
    previous = None
    for param in sig.parameters.values():
        if previous == kind.POSITIONAL_ONLY and param.kind != kind.POSITIONAL_ONLY:
            parts.append("/")
        if param.kind == kind.KEYWORD_ONLY and not starred and "*" not in parts:
            parts.append("*")
        ann = annotation_text(param.annotation, f"{where}({param.name})")
        note(ann)
        prefix = {kind.VAR_POSITIONAL: "*", kind.VAR_KEYWORD: "**"}.get(param.kind, "")
        text = f"{prefix}{param.name}: {ann}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {render_default(param.default)}"
        parts.append(text)
        previous = param.kind
    if previous == kind.POSITIONAL_ONLY:
        parts.append("/")
    return ", ".join(parts)


def docstring_block(doc: str | None, indent: str) -> str:
    if not doc:
        return f"{indent}...\n"
    text = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    lines = text.splitlines()
    body = "\n".join((indent + line) if line else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}' + (f"\n{body}\n{indent}" if len(lines) > 1 else "") + '"""\n'


# -- members -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    function: Callable[..., Any]
    bound: bool  # the first parameter (self / cls) is not part of the module function


def members(cls: type) -> list[Member]:
    """The public methods of ``cls`` (its bases' included), by name."""
    found = []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, staticmethod):
            found.append(Member(name, raw.__func__, bound=False))
        elif isinstance(raw, classmethod):
            found.append(Member(name, raw.__func__, bound=True))
        elif inspect.isfunction(raw):
            found.append(Member(name, raw, bound=True))
    return found


#: returns typed in the source by a protocol (the operations layer does not import the runtime)
#: and written in the stub as the runtime class a running step gives: (local name, module,
#: name) by the function's ``module.qualname``
RUNTIME_RETURNS = {
    "sterna.operations.base.AbstractOperations.get_context": (
        "MigrationContext",
        "sterna.runtime.migration",
        "MigrationContext",
    ),
}


def render_member(member: Member, imports: Imports) -> str:
    """The stub text of one member: its overloads, or its one signature."""
    overloads = typing.get_overloads(member.function)
    doc = inspect.getdoc(member.function)
    if overloads:
        return "".join(render_function(member, fn, doc, imports, "@overload\n") for fn in overloads)
    return render_function(member, member.function, doc, imports, "")


def render_function(
    member: Member, fn: Callable[..., Any], doc: str | None, imports: Imports, decorator: str
) -> str:
    if decorator:
        imports.need("overload", "typing", "overload")
    where = f"{fn.__module__}.{fn.__qualname__}"
    target = inspect.unwrap(fn)
    module_name = target.__module__

    def note(text: str) -> None:
        for name in annotation_names(text):
            resolve(name, module_name, imports, where)

    sig = inspect.signature(target)
    params = list(sig.parameters.values())
    if member.bound:
        params = params[1:]
    sig = sig.replace(parameters=params)
    returns = annotation_text(sig.return_annotation, f"{where} (return)")
    runtime = RUNTIME_RETURNS.get(where)
    if runtime is not None:
        returns = runtime[0]
        imports.need(*runtime)
    if target is not fn and inspect.isgeneratorfunction(target):  # @contextmanager
        returns = _context_manager_of(returns, where)
        imports.need("AbstractContextManager", "contextlib", "AbstractContextManager")
    if runtime is None:
        note(returns)
    args = render_parameters(sig, where, note)
    head = f"{decorator}def {member.name}({args}) -> {returns}:\n"
    return head + docstring_block(doc, "    ")


def _context_manager_of(returns: str, where: str) -> str:
    if not (returns.startswith("Iterator[") and returns.endswith("]")):
        raise StubError(f"{where}: a @contextmanager should return Iterator[...]")
    return "AbstractContextManager" + returns[len("Iterator") :]


def render_attributes(cls: type, imports: Imports) -> str:
    """``name: annotation`` for the public attributes ``cls`` annotates (its bases' too)."""
    lines = []
    for klass in reversed(cls.__mro__):
        for name, ann in vars(klass).get("__annotations__", {}).items():
            if name.startswith("_"):
                continue
            where = f"{klass.__module__}.{klass.__qualname__}.{name}"
            text = annotation_text(ann, where)
            if text.startswith("ClassVar"):
                continue
            for used in annotation_names(text):
                resolve(used, klass.__module__, imports, where)
            lines.append(f"{name}: {text}\n")
    return "".join(lines)


# -- whole stubs ---------------------------------------------------------------------------------


def load_class(class_path: str) -> type:
    module_name, _, name = class_path.partition(":")
    cls = getattr(importlib.import_module(module_name), name)
    assert isinstance(cls, type)
    return cls


def render_stub(spec: StubSpec) -> str:
    """The text of ``spec``'s stub, before ruff."""
    cls = load_class(spec.class_path)
    imports = Imports()
    attributes = render_attributes(cls, imports) if spec.with_attributes else ""
    functions = [render_member(member, imports) for member in members(cls)]
    parts = [
        HEADER.format(source=spec.class_path.split(":")[1]),
        docstring_block(spec.docstring, "").rstrip("\n"),
        imports.render(),
        "\n".join(sorted(imports.typevars.values())) + "\n" if imports.typevars else "",
        attributes,
        *functions,
    ]
    return "\n".join(part for part in parts if part)


def ruff() -> str:
    """The ruff next to this interpreter (the venv's pinned one), else the one on PATH."""
    beside = Path(sys.executable).parent / "ruff"
    found = str(beside) if beside.exists() else shutil.which("ruff")
    if found is None:
        raise StubError("ruff is needed to write the stubs (pip install the test extra)")
    return found


def tidy(text: str, path: str) -> str:
    """Sort the imports and format ``text`` with the repository's ruff settings."""
    for args in (["check", "--fix-only", "--select", "I", "--quiet"], ["format", "--quiet"]):
        done = subprocess.run(
            [ruff(), *args, "--stdin-filename", path, "-"],
            input=text, capture_output=True, text=True, cwd=REPO,
        )  # fmt: skip
        if done.returncode != 0:
            raise StubError(f"ruff {args[0]} failed on {path}: {done.stderr.strip()}")
        text = done.stdout
    return text


def generate() -> dict[str, str]:
    """Every stub's path (relative to the repository) and text."""
    return {spec.path: tidy(render_stub(spec), spec.path) for spec in SPECS}


def stale(root: Path, wanted: dict[str, str]) -> list[str]:
    """The stubs under ``root`` that differ from ``wanted`` (or are missing)."""
    out = []
    for path, text in wanted.items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale stubs")
    parser.add_argument(
        "--root", type=Path, default=REPO, help="the tree holding the stubs (default: this one)"
    )
    args = parser.parse_args(argv)
    try:
        wanted = generate()
    except StubError as exc:
        print(f"gen_stubs: {exc}", file=sys.stderr)
        return 2
    old = stale(args.root, wanted)
    if args.check:
        for path in old:
            print(f"{path} is stale: run ./dev stubs", file=sys.stderr)
        return 1 if old else 0
    for path in old:
        (args.root / path).write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
