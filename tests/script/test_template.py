"""Naming, dating, rendering and writing new scripts (checked against Alembic where it applies)."""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path

import pytest

from sterna.errors import ConfigError, ScriptTemplateError
from sterna.script.template import (
    make_create_date,
    make_slug,
    render,
    script_filename,
    template_values,
    tuple_rev_as_scalar,
    write_script,
)
from sterna.util.messaging import format_as_comma

MESSAGES = [
    "create suppliers table",
    "Add a VERY long message that will certainly need to be truncated somewhere in the middle",
    "punctuation!!! and -- dashes, commas; colons: ok?",
    "ünïcode wörds änd ß",
    "",
    None,
    "exactlyfortycharactersxxxxxxxxxxxxxxxxxx",
    "word_with_underscores_that_goes_on_and_on_and_on",
]
TEMPLATES = [
    "%(rev)s_%(slug)s",
    "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s",
    "%(epoch)s_%(rev)s",
    "%(second).2d/%(rev)s",
]


@pytest.mark.parametrize("message", MESSAGES)
@pytest.mark.parametrize("file_template", TEMPLATES)
@pytest.mark.parametrize("truncate", [40, 10, 3])
def test_file_names_match_alembic(
    tmp_path: Path, message: str | None, file_template: str, truncate: int
) -> None:
    from alembic.script.base import ScriptDirectory as AlembicScriptDirectory

    when = datetime.datetime(2024, 3, 5, 7, 8, 9, 123456)
    reference = AlembicScriptDirectory(
        str(tmp_path), file_template=file_template, truncate_slug_length=truncate
    )
    expected = reference._rev_path(tmp_path, "ab12cd", message, when)
    ours = script_filename(file_template, "ab12cd", message, when, truncate)
    assert str(tmp_path / ours) == str(expected)


def test_slug_rules_by_hand() -> None:
    assert make_slug("Create Suppliers table!", 40) == "create_suppliers_table"
    assert make_slug("one two three four", 9) == "one_two_"
    assert make_slug(None, 40) == ""


def test_unknown_or_malformed_file_template_token() -> None:
    when = datetime.datetime(2024, 1, 1)
    with pytest.raises(ConfigError, match="unknown token 'revision'"):
        script_filename("%(revision)s", "a", "m", when, 40)
    with pytest.raises(ConfigError, match="malformed"):
        script_filename("%(rev)d", "a", "m", when, 40)


def test_create_date_timezones() -> None:
    naive = make_create_date(None)
    assert naive.tzinfo is None
    assert abs((datetime.datetime.now() - naive).total_seconds()) < 60
    tokyo = make_create_date("Asia/Tokyo")
    assert tokyo.utcoffset() == datetime.timedelta(hours=9)
    utc = make_create_date("utc")  # found through its upper-case spelling, as Alembic does
    assert utc.utcoffset() == datetime.timedelta(0)
    with pytest.raises(ConfigError, match="Can't locate timezone: Nowhere/Atlantis"):
        make_create_date("Nowhere/Atlantis")


def test_comma_and_scalar_helpers() -> None:
    assert format_as_comma(None) == ""
    assert format_as_comma("a") == "a"
    assert format_as_comma(("a", "b")) == "a, b"
    assert tuple_rev_as_scalar(None) is None
    assert tuple_rev_as_scalar(()) is None
    assert tuple_rev_as_scalar(("a",)) == "a"
    assert tuple_rev_as_scalar(("a", "b")) == ("a", "b")
    assert tuple_rev_as_scalar(["a", "b"]) == ["a", "b"]


def values(**extra: object) -> dict[str, object]:
    return template_values(
        up_revision="abc",
        down_revision=("x", "y"),
        branch_labels=("lbl",),
        depends_on=None,
        create_date=datetime.datetime(2024, 1, 2, 3, 4, 5),
        message=None,
        extra=dict(extra),
    )


def test_render_with_alembic_variables(tmp_path: Path) -> None:
    tpl = tmp_path / "script.py.mako"
    tpl.write_text(
        '"""${message}\n\nRevises: ${down_revision | comma,n}\nCreate Date: ${create_date}\n"""\n'
        "revision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n"
        "branch_labels = ${repr(branch_labels)}\ndepends_on = ${repr(depends_on)}\n"
        "${imports if imports else ''}\n"
        "def upgrade():\n    ${upgrades if upgrades else 'pass'}\n# ${extra_arg}\n"
    )
    out = render(str(tpl), values(extra_arg="from template_args")).decode()
    assert out == (
        '"""empty message\n\nRevises: x, y\nCreate Date: 2024-01-02 03:04:05\n"""\n'
        "revision = 'abc'\ndown_revision = ('x', 'y')\n"
        "branch_labels = ('lbl',)\ndepends_on = None\n\n"
        "def upgrade():\n    pass\n# from template_args\n"
    )


def test_a_plain_revision_gives_no_operations_to_the_template(tmp_path: Path) -> None:
    """Without autogenerate there are no ``upgrades``/``downgrades``: the template sees them as
    undefined (false), as under Alembic, so an old template whose fallback branch names a
    misspelt variable (``downgrade``) still renders, the branch never being evaluated."""
    tpl = tmp_path / "script.py.mako"
    tpl.write_text(
        "def upgrade():\n    ${upgrades if upgrades else 'pass'}\n"
        "def downgrade():\n    ${downgrade if downgrades else 'pass'}\n"
    )
    out = render(str(tpl), values()).decode()
    assert out == "def upgrade():\n    pass\ndef downgrade():\n    pass\n"
    given = render(str(tpl), values(upgrades="op.f()", downgrades="")).decode()
    assert given == "def upgrade():\n    op.f()\ndef downgrade():\n    pass\n"


def test_render_output_encoding(tmp_path: Path) -> None:
    tpl = tmp_path / "script.py.mako"
    tpl.write_text("# ${message}\n", encoding="utf-8")
    data = values()
    data["message"] = "café"
    assert render(str(tpl), data, "latin-1") == "# café\n".encode("latin-1")
    data["message"] = "日本"
    with pytest.raises(ScriptTemplateError, match="cannot be encoded as 'latin-1'"):
        render(str(tpl), data, "latin-1")


@pytest.mark.parametrize(
    "body",
    ["${1/0}\n", "<% x = %>\n", "${undefined_name.attribute}\n", "% for x in\n"],
    ids=["zero-division", "bad-block", "undefined", "bad-control"],
)
def test_template_errors_are_one_line_naming_the_template(tmp_path: Path, body: str) -> None:
    tpl = tmp_path / "script.py.mako"
    tpl.write_text("line one\n" + body)
    with pytest.raises(ScriptTemplateError) as info:
        render(str(tpl), values())
    message = str(info.value)
    assert message.startswith(f"{tpl}: template rendering failed")
    assert "\n" not in message


def test_missing_template_names_it(tmp_path: Path) -> None:
    with pytest.raises(ScriptTemplateError) as info:
        render(str(tmp_path / "script.py.mako"), values())
    assert str(info.value).startswith(str(tmp_path / "script.py.mako"))


def test_write_script_is_atomic_and_never_overwrites(tmp_path: Path) -> None:
    dest = tmp_path / "abc_new.py"
    write_script(str(dest), b"revision = 'abc'\n")
    assert dest.read_bytes() == b"revision = 'abc'\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o666 & ~umask
    with pytest.raises(ScriptTemplateError, match="already exists"):
        write_script(str(dest), b"other")
    assert dest.read_bytes() == b"revision = 'abc'\n"
    assert sorted(os.listdir(tmp_path)) == ["abc_new.py"]


SHIPPED = sorted(
    (Path(__file__).resolve().parents[2] / "sterna" / "templates").glob("*/script.py.mako")
)


class _FakeConfig:
    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        return "engine1, engine2" if name == "databases" else default


@pytest.mark.parametrize("tpl", SHIPPED, ids=[p.parent.name for p in SHIPPED])
def test_shipped_templates_render_headers_the_fast_scan_reads(tpl: Path, tmp_path: Path) -> None:
    """Every script our templates write is read without the slower ast fallback, and right."""
    from sterna.script._header_scan import fast_scan
    from sterna.script.headers import parse_header
    from sterna.script.loader import load_module

    for down, labels, deps in [(None, None, None), (("a1", "b2"), ("lbl",), "c3")]:
        data = template_values(
            up_revision="f00d",
            down_revision=down,
            branch_labels=labels,
            depends_on=deps,
            create_date=datetime.datetime(2024, 1, 2, 3, 4, 5),
            message="a message",
            extra={"config": _FakeConfig()},
        )
        text = render(str(tpl), data).decode()
        assert fast_scan(text) is not None
        target = tmp_path / f"f00d_{tpl.parent.name}.py"
        target.write_text(text)
        module = load_module(str(target))
        header = parse_header(text.encode(), str(target))
        assert (header.revision, header.down_revision, header.branch_labels, header.depends_on) == (
            module.revision,
            module.down_revision,
            module.branch_labels,
            module.depends_on,
        )
        assert header.docstring == module.__doc__
        target.unlink()
