"""Projects generated at run time, as Alembic users have them.

``alembic init`` (Alembic's own command and template, from the installed package) writes the
ini, env.py and script.py.mako; the revision scripts are then written as Alembic's template
writes them (annotated header, ``from alembic import op``), a few in the older plain style.
Graphs: linear chains, branches, merges, several bases, branch labels, dependencies, and scripts
spread over several version locations.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

RevIds = str | tuple[str, ...] | None


@dataclass(frozen=True)
class Rev:
    """One revision script."""

    rev: str
    down: RevIds
    message: str = ""
    labels: RevIds = None
    depends: RevIds = None
    upgrade: str = "pass"
    downgrade: str = "pass"
    location: str = ""  # "" for the main versions folder, else a folder under the project root
    imports: str = ""
    plain_header: bool = False  # old style: ``revision = '...'`` without annotations

    @property
    def title(self) -> str:
        return self.message or f"revision {self.rev}"


@dataclass(frozen=True)
class Project:
    """A project folder (``alembic.ini`` + ``migrations/``) and the revisions written in it."""

    root: Path
    revisions: tuple[Rev, ...]
    locations: tuple[str, ...] = ()

    @property
    def ini(self) -> Path:
        return self.root / "alembic.ini"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(rev.rev for rev in self.revisions)

    def folder(self, location: str) -> Path:
        return self.root / "migrations" / "versions" if not location else self.root / location


HEADER_ANNOTATED = '''\
"""{title}

Revision ID: {rev}
Revises: {revises}
Create Date: 2024-03-0{day} 10:{minute:02d}:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
{imports}

# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = {labels!r}
depends_on: Union[str, Sequence[str], None] = {depends!r}


def upgrade() -> None:
    """Upgrade schema."""
{upgrade}


def downgrade() -> None:
    """Downgrade schema."""
{downgrade}
'''

HEADER_PLAIN = '''\
"""{title}

Revision ID: {rev}
Revises: {revises}
Create Date: 2023-11-1{day} 08:{minute:02d}:00

"""
from alembic import op
import sqlalchemy as sa
{imports}

# revision identifiers, used by Alembic.
revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


def script_text(rev: Rev, index: int) -> str:
    revises = ", ".join(rev.down) if isinstance(rev.down, tuple) else (rev.down or "")
    template = HEADER_PLAIN if rev.plain_header else HEADER_ANNOTATED
    return template.format(
        title=rev.title,
        rev=rev.rev,
        revises=revises,
        down=rev.down,
        labels=rev.labels,
        depends=rev.depends,
        imports=rev.imports,
        day=1 + index % 9,
        minute=index % 60,
        upgrade=textwrap.indent(textwrap.dedent(rev.upgrade).strip("\n"), "    "),
        downgrade=textwrap.indent(textwrap.dedent(rev.downgrade).strip("\n"), "    "),
    )


def _slug(text: str) -> str:
    return re.sub(r"\W+", "_", text.lower()).strip("_")[:40]


def alembic_init(root: Path, template: str = "generic") -> None:
    """``alembic init -t <template> migrations`` in ``root`` with Alembic's own command."""
    from alembic import command
    from alembic.config import Config

    root.mkdir(parents=True, exist_ok=True)
    old = os.getcwd()
    os.chdir(root)  # a relative directory: the config says %(here)s/migrations
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            if template.startswith("pyproject"):
                config = Config("alembic.ini", toml_file="pyproject.toml")
            else:
                config = Config("alembic.ini")
            command.init(config, "migrations", template=template)
    finally:
        os.chdir(old)


def set_ini_option(ini: Path, key: str, value: str, section: str = "alembic") -> None:
    """Set ``key`` in ``[section]`` of ``ini`` by editing the text (comments are kept)."""
    lines = ini.read_text().splitlines()
    start = lines.index(f"[{section}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    for index in range(start + 1, end):
        if lines[index].split("=", 1)[0].strip() == key:
            lines[index] = f"{key} = {value}"
            break
    else:
        lines.insert(end, f"{key} = {value}")
    ini.write_text("\n".join(lines) + "\n")


def build(root: Path, revisions: Sequence[Rev], template: str = "generic") -> Project:
    """Create the project in ``root`` and write ``revisions``."""
    alembic_init(root, template)
    locations = tuple(sorted({rev.location for rev in revisions if rev.location}))
    if locations:
        folders = ["%(here)s/migrations/versions", *(f"%(here)s/{loc}" for loc in locations)]
        set_ini_option(root / "alembic.ini", "path_separator", "space")
        set_ini_option(root / "alembic.ini", "version_locations", " ".join(folders))
    project = Project(root, tuple(revisions), locations)
    write_revisions(project, revisions)
    return project


def write_revisions(project: Project, revisions: Iterable[Rev]) -> None:
    for index, rev in enumerate(revisions):
        folder = project.folder(rev.location)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{rev.rev}_{_slug(rev.title)}.py").write_text(script_text(rev, index))


# ------------------------------------------------------------------------------------ graphs


def linear(n: int, prefix: str = "") -> list[Rev]:
    ids = [
        f"{prefix}{index:02d}{'abcdef0123456789'[index % 16]}{index * 7919 % 4096:03x}"
        for index in range(n)
    ]
    return [
        Rev(rid, ids[i - 1] if i else None, f"step {i}", plain_header=i % 3 == 2)
        for i, rid in enumerate(ids)
    ]


def branched() -> list[Rev]:
    """Two bases, a branch point, a labelled branch, a merge, a cross-branch dependency, a
    dependency on another base, and scripts in a second version location::

        a1 <- b2 <- c3 <- d4a (feature) <- e5a <-+
                       <- d4b <- e5b <-----------+- m6 <- n7
        x1 (other) <- x2 (depends on c3) <- x3 (in extra/)
        z1 (lone, in extra/, depends on x1)
    """
    return [
        Rev("a1", None, "create accounts"),
        Rev("b2", "a1", "add email"),
        Rev("c3", "b2", "add orders", plain_header=True),
        Rev("d4a", "c3", "feature start", labels="feature"),
        Rev("e5a", "d4a", "feature more"),
        Rev("d4b", "c3", "other side"),
        Rev("e5b", "d4b", "other side more"),
        Rev("m6", ("e5a", "e5b"), "merge branches"),
        Rev("n7", "m6", "after merge"),
        Rev("x1", None, "second base", labels=("other",)),
        Rev("x2", "x1", "needs orders", depends="c3"),
        Rev("x3", "x2", "other more", location="extra"),
        Rev("z1", None, "lone base", labels="lone", depends="x1", location="extra"),
    ]


@dataclass
class RandomGraph:
    """A random revision graph: chains that branch, merge, carry labels and depend on each
    other, with ids sharing prefixes (so that partial ids can be ambiguous)."""

    seed: int
    size: int = 18
    revisions: list[Rev] = field(default_factory=list)

    def generate(self) -> list[Rev]:
        rnd = random.Random(self.seed)
        ids: list[str] = []
        heads: list[str] = []
        labels_used = 0
        for index in range(self.size):
            rid = f"{rnd.choice('ab')}{rnd.choice('0123')}{rnd.randrange(16**4):04x}{index:02d}"
            roll = rnd.random()
            if not heads or roll < 0.12:
                down: RevIds = None
            elif len(heads) > 1 and roll < 0.3:
                pair = rnd.sample(heads, 2)
                down = tuple(pair)
                heads = [h for h in heads if h not in pair]
            else:
                parent = rnd.choice(heads if roll < 0.8 else ids)
                down = parent
                if parent in heads and rnd.random() < 0.8:
                    heads.remove(parent)
            labels: RevIds = None
            if rnd.random() < 0.15:
                labels_used += 1
                labels = f"lab{labels_used}"
            depends: RevIds = None
            if ids and rnd.random() < 0.15:
                candidate = rnd.choice(ids)
                if candidate != down and not (isinstance(down, tuple) and candidate in down):
                    depends = candidate
            self.revisions.append(
                Rev(rid, down, f"random {index}", labels, depends, plain_header=rnd.random() < 0.3)
            )
            ids.append(rid)
            heads.append(rid)
        return self.revisions


def with_tables(revisions: Iterable[Rev]) -> list[Rev]:
    """The revisions, each creating (and on downgrade dropping) a table named after it, so that
    the schema shows which revisions ran; merge points only execute a statement."""
    result = []
    for rev in revisions:
        if isinstance(rev.down, tuple):
            up = "op.execute(sa.text('SELECT 1'))"
            down = "op.execute('SELECT 2')"
        else:
            up = (
                f"op.create_table('t_{rev.rev}', sa.Column('id', sa.Integer, primary_key=True),"
                f" sa.Column('note', sa.String(20), server_default='{rev.rev}'))"
            )
            down = f"op.drop_table('t_{rev.rev}')"
        result.append(replace(rev, upgrade=up, downgrade=down))
    return result
