"""Reading script headers without executing the scripts.

Expectations come from executing the same source with ``exec`` (what Alembic does) and reading the
module attributes, so the parser is compared with Python itself rather than with itself.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sterna.errors import ScriptError
from sterna.script._header_scan import decode_simple as _decode_simple
from sterna.script._header_scan import fast_scan as _fast_scan
from sterna.script.headers import (
    ScriptHeader,
    _parse_with_ast,
    header_from_module,
    parse_header,
)
from sterna.script.loader import load_module

ALEMBIC_TEMPLATE = '''"""create suppliers table

Revision ID: a1b2c3
Revises: 9f8e7d
Create Date: 2024-05-01 10:11:12.123456

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a1b2c3'
down_revision: Union[str, Sequence[str], None] = '9f8e7d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table("suppliers", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("suppliers")
'''

OLD_TEMPLATE = '''"""add column

Revision ID: 27c6a30d7c24
Revises: 1975ea83b712
Create Date: 2011-11-08 11:40:27.089406

"""

# revision identifiers, used by Alembic.
revision = '27c6a30d7c24'
down_revision = ('1975ea83b712', 'ae1027a6acf')

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column('account', sa.Column('last_login', sa.DateTime))
'''


def executed(source: str | bytes, tmp_path: Path, name: str = "script.py") -> dict[str, object]:
    """The header as Python itself sees it: run the file and read its attributes."""
    path = tmp_path / name
    path.write_bytes(source.encode("utf-8") if isinstance(source, str) else source)
    module = load_module(str(path))
    out: dict[str, object] = {"__doc__": module.__doc__}
    for attr in ("revision", "down_revision", "branch_labels", "depends_on"):
        value = getattr(module, attr, None)
        out[attr] = tuple(value) if isinstance(value, list) else value
    return out


def as_dict(header: ScriptHeader) -> dict[str, object]:
    return {
        "__doc__": header.docstring,
        "revision": header.revision,
        "down_revision": header.down_revision,
        "branch_labels": header.branch_labels,
        "depends_on": header.depends_on,
    }


@pytest.mark.parametrize("source", [ALEMBIC_TEMPLATE, OLD_TEMPLATE], ids=["annotated", "legacy"])
def test_templates_read_by_fast_path_match_execution(source: str, tmp_path: Path) -> None:
    text = _decode_simple(source.encode())
    assert text is not None
    assert _fast_scan(text) is not None, "standard templates must not need the ast fallback"
    header = parse_header(source.encode(), str(tmp_path / "script.py"))
    assert as_dict(header) == executed(source, tmp_path)


def test_sterna_generic_template_uses_fast_path() -> None:
    """The script template we ship renders to a file the fast path reads on its own."""
    rendered = (
        '"""msg\n\nRevision ID: abc\nRevises: \nCreate Date: 2024\n\n"""\n'
        "from collections.abc import Sequence\n\nfrom sterna import op\nimport sqlalchemy as sa\n"
        "\n\n# Revision identifiers: read by Sterna (and Alembic) to order the migrations.\n"
        "revision: str = 'abc'\n"
        "down_revision: str | Sequence[str] | None = None\n"
        "branch_labels: str | Sequence[str] | None = ('lbl',)\n"
        "depends_on: str | Sequence[str] | None = ['x', 'y']\n\n\n"
        "def upgrade() -> None:\n    pass\n"
    )
    found = _fast_scan(rendered)
    assert found is not None
    assert found[1] == {
        "revision": "abc",
        "down_revision": None,
        "branch_labels": ("lbl",),
        "depends_on": ["x", "y"],
    }


TRICKY = {
    "string_in_body_looks_like_header": (
        '"""doc"""\nrevision = "good"\ndown_revision = None\n\n'
        'def upgrade():\n    sql = """\nrevision = \'evil\'\n"""\n'
    ),
    "multiline_string_before_headers": (
        'X = """\nrevision = \'evil\'\n"""\nrevision = "good"\ndown_revision = None\n'
    ),
    "reassigned_later": 'revision = "first"\ndown_revision = None\n\nrevision = "second"\n',
    "headers_after_functions": (
        '"""doc"""\n\ndef upgrade():\n    pass\n\nrevision = "r1"\ndown_revision = "r0"\n'
    ),
    "parenthesised_string_is_not_a_tuple": 'revision = "r"\ndown_revision = ("a")\n',
    "one_element_tuple": 'revision = "r"\ndown_revision = ("a",)\n',
    "list_value": 'revision = "r"\ndown_revision = ["a", "b"]\n',
    "empty_tuple_labels": 'revision = "r"\ndown_revision = None\nbranch_labels = ()\n',
    "raw_docstring": 'r"""doc \\d"""\nrevision = "r"\ndown_revision = None\n',
    "escaped_docstring": '"""tab\\there"""\nrevision = "r"\ndown_revision = None\n',
    "single_quoted_docstring": "'doc'\nrevision = 'r'\ndown_revision = None\n",
    "no_docstring": "# comment\nrevision = 'r'\ndown_revision = None\n",
    "docstring_then_code_on_same_line": '"""doc"""; revision = "r"\ndown_revision = None\n',
    "tuple_unpacking": 'revision, down_revision = "r", None\n',
    "continuation_lines": 'revision = \\\n    "r"\ndown_revision = (\n    "a",\n    "b",\n)\n',
    "comment_with_equals": 'revision = "r"  # = "x"\ndown_revision = None  # was "q"\n',
    "global_statement_in_function": (
        'revision = "r"\ndown_revision = None\n\ndef f():\n    global revision\n'
        '    revision = "z"\n'
    ),
    "import_between": ('revision = "r"\nimport os\nfrom os import path\ndown_revision = "d"\n'),
    "crlf_newlines": (
        '"""line one\r\n\r\nline two\r\n"""\r\nrevision = "r"\r\ndown_revision = None\r\n'
    ),
    "hash_inside_string": 'revision = "r#1"\ndown_revision = None\n',
    "unicode_docstring": (
        '"""créer la table des fournisseurs"""\nrevision = "r"\ndown_revision = None\n'
    ),
    "annotated_without_value_first": 'revision: str\nrevision = "r"\ndown_revision = None\n',
    "chained_assignment": 'x = revision = "r"\ndown_revision = None\n',
    "docstring_mentions_revision_in_body": (
        'revision = "r"\ndown_revision = None\n\n\ndef upgrade():\n'
        '    """Apply this revision (the revision after down_revision)."""\n'
    ),
    "comprehension_variable_does_not_leak": (
        'revision = "r"\ndown_revision = None\nxs = [revision for revision in "ab"]\n'
    ),
    "lambda_parameter": 'revision = "r"\ndown_revision = None\nf = lambda revision: revision\n',
    "class_body_assignment": (
        'revision = "r"\ndown_revision = None\n\n\nclass X:\n    revision = "inner"\n'
    ),
    "assignment_inside_function_only": (
        'revision = "r"\ndown_revision = None\n\ndef upgrade():\n    down_revision = "x"\n'
    ),
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_sources_match_execution(name: str, tmp_path: Path) -> None:
    source = TRICKY[name]
    header = parse_header(source.encode(), str(tmp_path / "script.py"))
    assert as_dict(header) == executed(source, tmp_path)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_ast_fallback_alone_matches_execution(name: str, tmp_path: Path) -> None:
    source = TRICKY[name]
    header = _parse_with_ast(source.encode(), str(tmp_path / "script.py"))
    assert as_dict(header) == executed(source, tmp_path)


def test_fast_path_declines_when_a_string_could_hide_a_header() -> None:
    assert _fast_scan(TRICKY["string_in_body_looks_like_header"]) is None
    assert _fast_scan(TRICKY["reassigned_later"]) is None
    assert _fast_scan(TRICKY["headers_after_functions"]) is None


def test_latin1_coding_cookie(tmp_path: Path) -> None:
    source = (
        '# -*- coding: latin-1 -*-\n"""caf\xe9 table\n\nRevision ID: r\n"""\n'
        'revision = "r"\ndown_revision = None\n'
    ).encode("latin-1")
    assert _decode_simple(source) is None
    header = parse_header(source, str(tmp_path / "script.py"))
    assert header.docstring is not None
    assert header.docstring.startswith("caf\xe9 table")
    assert as_dict(header) == executed(source, tmp_path)


def test_utf8_cookie_and_bom_stay_on_fast_path(tmp_path: Path) -> None:
    source = (
        '\ufeff# -*- coding: utf-8 -*-\n"""d\xe9j\xe0"""\nrevision = \'r\'\ndown_revision = None\n'
    ).encode("utf-8")
    assert _decode_simple(source) is not None
    header = parse_header(source, str(tmp_path / "script.py"))
    assert as_dict(header) == executed(source, tmp_path)


COMPUTED = {
    "concatenation": ('revision = "r"\ndown_revision = "a" + "b"\n', "down_revision", 2),
    "call": ("revision = make_id()\ndown_revision = None\n", "revision", 1),
    "conditional": (
        'revision = "r"\nif True:\n    down_revision = None\nelse:\n    down_revision = "x"\n',
        "down_revision",
        3,
    ),
    "imported": (
        'from other import depends_on\nrevision = "r"\ndown_revision = None\n',
        "depends_on",
        1,
    ),
    "augmented": ('revision = "r"\ndown_revision = None\nrevision += "x"\n', "revision", 3),
    "loop": ('down_revision = None\nfor revision in ["a"]:\n    pass\n', "revision", 2),
    "tuple_loop": (
        'revision = "r"\ndown_revision = None\nfor a, revision in [(1, "z")]:\n    pass\n',
        "revision",
        3,
    ),
    "walrus": ('revision = "r"\ndown_revision = None\n(revision := "z")\n', "revision", 3),
    "walrus_in_comprehension": (
        'revision = "r"\ndown_revision = None\nxs = [(revision := c) for c in "ab"]\n',
        "revision",
        3,
    ),
    "with_as": (
        'import contextlib\nrevision = "r"\ndown_revision = None\n'
        'with contextlib.nullcontext("z") as revision:\n    pass\n',
        "revision",
        4,
    ),
    "import_as": ('revision = "r"\ndown_revision = None\nimport os as revision\n', "revision", 3),
    "def_named_like_header": (
        'revision = "r"\ndown_revision = None\n\n\ndef depends_on():\n    pass\n',
        "depends_on",
        5,
    ),
    "unpaired_tuple_target": (
        'revision, down_revision = "r", None, 1\n',
        "revision",
        1,
    ),
    "match_capture": (
        'revision = "r"\ndown_revision = None\nmatch 1:\n    case revision:\n        pass\n',
        "revision",
        4,
    ),
}


@pytest.mark.parametrize("name", sorted(COMPUTED))
def test_computed_header_is_an_error_naming_file_and_variable(name: str) -> None:
    source, variable, line = COMPUTED[name]
    with pytest.raises(ScriptError) as info:
        parse_header(source.encode(), "/proj/versions/abc_x.py")
    message = str(info.value)
    assert message.startswith("/proj/versions/abc_x.py: ")
    assert f"'{variable}'" in message
    assert f"line {line}" in message
    assert "\n" not in message


def test_syntax_error_in_header_names_file_and_line() -> None:
    source = b'"""doc"""\nrevision = "r"\ndown_revision = ("a",\n\ndef upgrade():\n    pass\n'
    with pytest.raises(ScriptError) as info:
        parse_header(source, "/proj/versions/broken.py")
    message = str(info.value)
    assert message.startswith("/proj/versions/broken.py: syntax error at line ")
    assert "\n" not in message


def test_syntax_error_in_body_is_left_to_import() -> None:
    """Bodies are not compiled when listing: the error surfaces when the script is run."""
    source = b'"""doc"""\nrevision = "r"\ndown_revision = None\n\ndef upgrade(:\n    pass\n'
    assert parse_header(source, "/proj/versions/broken.py").revision == "r"
    with pytest.raises(ScriptError) as info:
        _parse_with_ast(source, "/proj/versions/broken.py")
    assert str(info.value).startswith("/proj/versions/broken.py: syntax error at line 5")


def test_wrong_types_are_errors() -> None:
    with pytest.raises(ScriptError, match="'revision' must be a string"):
        parse_header(b"revision = 12\ndown_revision = None\n", "x.py")
    with pytest.raises(ScriptError, match="'depends_on' must be"):
        parse_header(b"revision = 'r'\ndown_revision = None\ndepends_on = {'a': 1}\n", "x.py")


def test_missing_down_revision_is_an_error() -> None:
    with pytest.raises(ScriptError, match="no 'down_revision'"):
        parse_header(b'"""doc"""\nrevision = "r"\n', "/v/r_doc.py")


def test_legacy_revision_from_hex_file_name() -> None:
    header = parse_header(b'"""doc"""\ndown_revision = None\n', "/v/3f2a9c.py")
    assert header.revision == "3f2a9c"
    with pytest.raises(ScriptError) as info:
        parse_header(b'"""doc"""\ndown_revision = None\n', "/v/not_hex.py")
    assert "Could not determine revision id from filename not_hex.py" in str(info.value)


def test_header_from_imported_module(tmp_path: Path) -> None:
    path = tmp_path / "abc.py"
    path.write_text('"""doc here"""\nrevision = "abc"\ndown_revision = ["x", "y"]\n')
    header = header_from_module(load_module(str(path)), str(path))
    assert header == ScriptHeader("abc", ("x", "y"), None, None, "doc here")


def test_json_round_trip_and_rejection() -> None:
    header = ScriptHeader("r", ("a", "b"), "lbl", None, "doc")
    assert ScriptHeader.from_json(header.to_json()) == header
    assert ScriptHeader.from_json(["r", 1, None, None, None]) is None
    assert ScriptHeader.from_json({"revision": "r"}) is None
    assert ScriptHeader.from_json([1, None, None, None, None]) is None


# ----------------------------------------------------------------- generated variants (hypothesis)

_ids = st.text(alphabet=string.hexdigits.lower()[:16] + "_", min_size=1, max_size=12)
_value = st.one_of(
    st.none(),
    _ids,
    st.lists(_ids, min_size=0, max_size=3).map(tuple),
    st.lists(_ids, min_size=0, max_size=3),
)


def _render(value: object, style: int) -> str:
    if isinstance(value, str):
        return repr(value) if style % 2 else '"' + value + '"'
    if isinstance(value, tuple) and len(value) == 1 and style % 3 == 0:
        return f"( {value[0]!r} , )"
    return repr(value)


@settings(max_examples=150, deadline=None)
@given(
    rev=_ids,
    down=_value,
    labels=_value,
    deps=_value,
    annotated=st.booleans(),
    style=st.integers(min_value=0, max_value=5),
    doc=st.text(alphabet=string.ascii_letters + " \n:-", max_size=60),
    comment=st.booleans(),
)
def test_generated_headers_match_execution(
    tmp_path_factory: pytest.TempPathFactory,
    rev: str,
    down: object,
    labels: object,
    deps: object,
    annotated: bool,
    style: int,
    doc: str,
    comment: bool,
) -> None:
    note = "  # note" if comment else ""
    ann = ": Union[str, Sequence[str], None]" if annotated else ""
    source = (
        f'"""{doc}"""\nfrom typing import Sequence, Union\n\n'
        f"revision{': str' if annotated else ''} = {rev!r}{note}\n"
        f"down_revision{ann} = {_render(down, style)}\n"
        f"branch_labels{ann} = {_render(labels, style + 1)}{note}\n"
        f"depends_on{ann} = {_render(deps, style + 2)}\n\n\ndef upgrade() -> None:\n    pass\n"
    )
    tmp = tmp_path_factory.mktemp("gen")
    header = parse_header(source.encode(), str(tmp / "script.py"))
    assert as_dict(header) == executed(source, tmp)
    assert _fast_scan(source) is not None


# ----------------------------------------------------- docstrings as Python 3.13+ keeps them

DOCSTRINGS = [
    "   first\n    second\n   third\n",
    "first\n\tsecond\n\t\tthird\n",
    "first\n    a\n  \n    b\n   ",
    "first\n  a\n        \n  b\n",
    "\n    a\n    b\n",
    "one line",
    "first\n\t  mixed\n  \tmix2\n",
    "fi\trst\n    a\tb\n",
    "create table\n\n    Revision ID: abc\n    Revises:\n    Create Date: 2024\n\n    ",
    "",
]


@pytest.mark.parametrize("doc", DOCSTRINGS)
def test_docstring_cleaning_matches_python_313(doc: str) -> None:
    """Compared with what a real Python >= 3.13 stores in ``__doc__`` for the same source."""
    import glob
    import os
    import shutil
    import subprocess
    import sys

    candidates = [sys.executable] if sys.version_info >= (3, 13) else []
    pyenv = os.path.expanduser("~/.pyenv/versions")
    candidates += sorted(glob.glob(f"{pyenv}/3.1[3-9]*/bin/python"))
    candidates += [p for p in (shutil.which("python3.13"), shutil.which("python3.14")) if p]
    if not candidates:
        pytest.skip("no Python >= 3.13 interpreter available to compare with")
    code = (
        "import sys; ns = {}; exec(compile(sys.stdin.read(), 'x', 'exec'), ns); "
        "sys.stdout.write(repr(ns.get('__doc__')))"
    )
    done = subprocess.run(
        [candidates[0], "-c", code],
        input='"""' + doc + '"""\n',
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"{candidates[0]} is not usable here")
    from sterna.script.headers import docstring_as_compiled

    assert repr(docstring_as_compiled(doc, (3, 13))) == done.stdout
    assert docstring_as_compiled(doc, (3, 12)) == doc


def test_docstring_fields() -> None:
    from sterna.script.headers import DocFields, docstring_fields

    doc = (
        "create suppliers table\n\nRevision ID: a1b2c3\nRevises: 9f8e7d, 1a2b3c\n"
        "Create Date: 2024-05-01 10:11:12.123456\n\n"
    )
    assert docstring_fields(doc) == DocFields(
        "create suppliers table", "a1b2c3", "9f8e7d, 1a2b3c", "2024-05-01 10:11:12.123456"
    )
    assert docstring_fields("just a message") == DocFields("just a message", None, None, None)
    assert docstring_fields(None) == DocFields("", None, None, None)
    assert docstring_fields("first\n\nRevises: \n") == DocFields("first", None, "", None)
