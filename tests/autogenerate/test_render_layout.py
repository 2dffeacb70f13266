"""The line breaker: generated source fits the line length and is left unchanged by
``ruff format`` (the formatter a project is most likely to run as a post-write hook)."""

from __future__ import annotations

import difflib
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sterna.autogenerate.render_layout import (
    WIDTH,
    Atom,
    Group,
    Node,
    Prefixed,
    call,
    flat,
    layout,
    literal,
    py_str,
)

RUFF = Path(sys.executable).parent / "ruff"


def ruff_format(source: str, tmp_path: Path) -> str:
    path = tmp_path / "generated.py"
    path.write_text(source)
    subprocess.run([str(RUFF), "format", "--isolated", "--quiet", str(path)], check=True)
    return path.read_text()


def test_short_call_stays_on_one_line() -> None:
    node = call("op.drop_column", Atom('"t"'), Atom('"c"'))
    assert layout(node, 4) == ['    op.drop_column("t", "c")']


def test_arguments_go_together_on_the_next_line_when_they_fit_there() -> None:
    node = call(
        "op.create_index",
        Atom('op.f("ix_suppliers_name")'),
        Atom('"suppliers"'),
        Atom('["name", "other_name"]'),
        unique=Atom("False"),
    )
    assert layout(node, 4) == [
        "    op.create_index(",
        '        op.f("ix_suppliers_name"), "suppliers", ["name", "other_name"], unique=False',
        "    )",
    ]


def test_one_argument_per_line_with_trailing_commas_otherwise() -> None:
    column = call(
        "sa.Column",
        Atom('"a_rather_long_column_name_indeed"'),
        Atom("sa.String(length=255)"),
        nullable=Atom("False"),
        comment=Atom('"what this column holds, in a few words"'),
    )
    node = call("op.add_column", Atom('"suppliers"'), column)
    assert layout(node, 4) == [
        "    op.add_column(",
        '        "suppliers",',
        "        sa.Column(",
        '            "a_rather_long_column_name_indeed",',
        "            sa.String(length=255),",
        "            nullable=False,",
        '            comment="what this column holds, in a few words",',
        "        ),",
        "    )",
    ]


def test_a_single_argument_gets_no_trailing_comma() -> None:
    column = call(
        "sa.Column",
        Atom('"full_name_of_the_supplier_xxxxxxxxxxxxxxxx"'),
        Atom("sa.String(length=50)"),
        nullable=Atom("True"),
    )
    lines = layout(call("batch_op.add_column", column), 8)
    assert lines[0] == "        batch_op.add_column("
    assert lines[-2:] == ["            )", "        )"]


def test_unbreakable_text_is_written_as_is() -> None:
    text = '"' + "x" * 120 + '"'
    assert layout(call("op.execute", Atom(text)), 4) == [
        "    op.execute(",
        "        " + text,
        "    )",
    ]


def test_string_literals_prefer_double_quotes() -> None:
    assert py_str("abc") == '"abc"'
    assert py_str("it's") == '"it\'s"'
    assert py_str('say "hi"') == "'say \"hi\"'"
    assert py_str("a\nb\\c") == '"a\\nb\\\\c"'
    assert eval(py_str("both ' and \"")) == "both ' and \""


def test_literals_of_containers() -> None:
    assert flat(literal({"a": [1, 2], "b": (3,)})) == '{"a": [1, 2], "b": (3,)}'
    assert flat(literal({"x", "y"})) == '{"x", "y"}'
    assert flat(literal(None)) == "None"


# -- against ruff format --------------------------------------------------------------------------


def _random_node(rng: random.Random, depth: int) -> Node:
    if depth == 0 or rng.random() < 0.35:
        atoms: list[Callable[[], Node]] = [
            lambda: Atom(py_str("".join(rng.choices("abcdefgh_", k=rng.randint(1, 30))))),
            lambda: Atom(repr(rng.randint(-1000, 10**9))),
            lambda: Atom(rng.choice(["None", "True", "sa.Integer()", 'op.f("ix_a_b")'])),
        ]
        return rng.choice(atoms)()
    kind = rng.choice(["call", "call", "list", "dict", "tuple"])
    count = rng.randint(1 if kind != "call" else 0, 5)
    children = [_random_node(rng, depth - 1) for _ in range(count)]
    if kind == "call":
        keywords: list[Node] = [
            Prefixed(f"{rng.choice(['name', 'nullable', 'x_y'])}=", _random_node(rng, depth - 1))
            for _ in range(rng.randint(0, 3))
        ]
        return Group(rng.choice(["sa.Column", "op.create_table", "f"]), tuple(children + keywords))
    if kind == "dict":
        return Group("", tuple(Prefixed(f'"k{n}": ', c) for n, c in enumerate(children)), "{", "}")
    if kind == "tuple":
        return Group("", tuple(children))
    return Group("", tuple(children), "[", "]")


def test_layout_is_what_ruff_format_writes(tmp_path: Path) -> None:
    rng = random.Random(20240501)
    lines = ["def upgrade():"]
    for _ in range(400):
        statement = Group(
            rng.choice(["op.create_table", "op.add_column"]),
            tuple(_random_node(rng, 4) for _ in range(rng.randint(0, 6))),
        )
        indent = rng.choice([4, 4, 8])
        if indent == 8:
            lines.append('    with op.batch_alter_table("t") as batch_op:')
        lines.extend(layout(statement, indent))
    source = "\n".join(lines) + "\n"
    formatted = ruff_format(source, tmp_path)
    if formatted != source:
        diff = difflib.unified_diff(source.splitlines(), formatted.splitlines(), lineterm="")
        raise AssertionError("ruff format changed the layout:\n" + "\n".join(list(diff)[:80]))
    assert all(len(line) <= WIDTH or '"' in line for line in lines)
