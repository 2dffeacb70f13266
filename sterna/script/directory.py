"""``ScriptDirectory``: a migration environment's folder, its version folders and their scripts.

The public API is Alembic's (``from_config``, ``get_revision(s)``, ``get_heads``,
``walk_revisions``, ``generate_revision``, ``run_env`` ...).  Scripts are found by
:mod:`sterna.script.scan`, which reads headers (through the header cache) instead of importing
files; the revision graph is built from them lazily, once, by
:class:`~sterna.script.revision.RevisionMap`.  Nothing here imports SQLAlchemy or Mako (Mako is
imported by :mod:`sterna.script.template` when a script is written).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property

from sterna.errors_config import ConfigError
from sterna.errors_root import CommandError
from sterna.errors_script import ScriptError
from sterna.script import _locations, snapshot
from sterna.script.base import Script
from sterna.script.loader import load_module, python_file_or_bytecode, reads_own_bytecode
from sterna.script.revision import RevisionMap
from sterna.script.scan import (
    FolderListing,
    find_scripts,
    has_duplicates,
    list_scripts,
    read_scripts,
)
from sterna.script.translate import translate_errors
from sterna.util.console import ConsolePolicy, collector_paused, console_of
from sterna.util.messaging import status

# names used in annotations only: ``typing`` is not imported at run time (about 3 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from sterna.config import Config
    from sterna.script.plan import Step

_RevIds = str | Sequence[str] | None


class ScriptDirectory:
    """The script folder of a migration environment (``alembic.script.ScriptDirectory``)."""

    #: the console script's speed measures (sterna.util.console), from the Config this was made
    #: from; ``None`` for a library call (the garbage collector is then left alone)
    console: ConsolePolicy | None = None

    def __init__(
        self,
        dir: str | os.PathLike[str],  # Alembic's public name
        file_template: str = _locations.DEFAULT_FILE_TEMPLATE,
        truncate_slug_length: int | None = 40,
        version_locations: Sequence[str | os.PathLike[str]] | None = None,
        sourceless: bool = False,
        output_encoding: str = "utf-8",
        timezone: str | None = None,
        hooks: Sequence[Mapping[str, str]] = (),
        recursive_version_locations: bool = False,
        messaging_opts: Mapping[str, Any] | None = None,
    ) -> None:
        self.dir = os.fspath(dir)
        self.version_locations = [os.fspath(p) for p in version_locations or ()]
        self.file_template = file_template
        self.truncate_slug_length = truncate_slug_length or 40
        self.sourceless = sourceless
        self.output_encoding = output_encoding
        self.timezone = timezone
        self.hooks = list(hooks)
        self.recursive_version_locations = recursive_version_locations
        self.messaging_opts: dict[str, Any] = dict(messaging_opts or {})
        if not os.access(self.dir, os.F_OK):
            raise ConfigError(
                f"Path doesn't exist: {self.dir}.  Please use the 'init' command to create a "
                "new scripts folder."
            )

    @classmethod
    def from_config(cls, config: Config) -> ScriptDirectory:
        """The script directory a :class:`~sterna.config.Config` describes."""
        script = _locations.script_directory_from_config(cls, config)
        script.console = console_of(config)
        return script

    # ------------------------------------------------------------------ locations

    @cached_property
    def _version_locations(self) -> list[str]:
        """Absolute paths of the version folders (``<dir>/versions`` unless configured)."""
        if not self.version_locations:
            return [os.path.abspath(os.path.join(self.dir, "versions"))]
        return [os.path.abspath(_locations.resolve_location(loc)) for loc in self.version_locations]

    @property
    def versions(self) -> str:
        """The one version folder; an error when several are configured."""
        locations = self._version_locations
        if len(locations) > 1:
            raise ConfigError("Multiple version_locations present")
        return locations[0]

    @property
    def env_py_location(self) -> str:
        """``env.py`` of this environment (relative when ``dir`` is, as in Alembic)."""
        return os.path.join(self.dir, "env.py")

    # ------------------------------------------------------------------ the revisions

    def _load_revisions(self) -> Iterator[Script]:
        for found in find_scripts(
            self._version_locations,
            recursive=self.recursive_version_locations,
            sourceless=self.sourceless,
        ):
            yield Script(found.path, found.header, found.module)

    @cached_property
    def revision_map(self) -> RevisionMap:
        """The revision graph of all scripts, built on first use (or loaded from the snapshot
        taken when it was last built from the same files: :mod:`sterna.script.snapshot`)."""
        revision_map, listings = self._read_revision_map()
        if self.console is not None:
            self.console.keep(revision_map, listings)
        self._listings = listings
        return revision_map

    def listed_stat(self, path: str) -> os.stat_result | None:
        """The stat the graph's listing took of the script at ``path`` (``None`` when it was
        not listed: a symlink, a sourceless or custom directory): the checksum cache's key for
        the file these revisions were read from, without a ``stat`` per applied script."""
        stats = self.__dict__.get("_listed")
        if stats is None:
            stats = self.__dict__["_listed"] = {
                entry.path: st
                for listing in self.__dict__.get("_listings", ())
                for entry, st in zip(listing.entries, listing.stats, strict=True)
                if not entry.is_symlink()
            }
        return stats.get(path)

    def _read_revision_map(self) -> tuple[RevisionMap, list[FolderListing]]:
        """The graph, and the folder listings it was read from (none where not listed)."""
        if self.sourceless or type(self)._load_revisions is not ScriptDirectory._load_revisions:
            return RevisionMap(self._load_revisions()), []
        with collector_paused(self.console):  # thousands of stat results and rows, all kept
            listings = list_scripts(
                self._version_locations, recursive=self.recursive_version_locations
            )
            key = snapshot.signature(listings, self.recursive_version_locations)
            loaded = snapshot.load(self.dir, key) if key is not None else None
        if loaded is not None:
            return loaded, listings
        with collector_paused(self.console):
            found = read_scripts(listings)
            revision_map = RevisionMap(Script(f.path, f.header, f.module) for f in found)
        if key is not None and not has_duplicates(listings):
            snapshot.save(self.dir, key, revision_map)
        return revision_map, listings

    def import_scripts(self) -> None:
        """Import every script of the directory, once each, in the order Alembic imports them
        (the order it lists them in: each version location in turn, its files by name, then
        with ``recursive_version_locations`` its sub-folders by name, depth first).

        Alembic imports all scripts to build its revision map, so a script may rely on another
        one's import side effects (``import pkg.sub`` in a later script); the commands that run
        migrations call this before planning, which also finds a script that does not compile
        before anything is run (a :class:`ScriptError` naming the file and line)."""
        scripts = [s for s in self.revision_map if isinstance(s, Script) and s._module is None]
        if not scripts:
            return
        # thousands of modules and functions that all stay alive: collecting only walks them
        with collector_paused(self.console):
            if self.sourceless or not reads_own_bytecode(scripts[0].path):
                for script in scripts:
                    script.module  # noqa: B018 - importing is the point
                return
            from sterna.script.bundle import CodeBundle  # only the commands that run import

            bundle = CodeBundle(self.dir)
            for script in scripts:
                script.import_through(bundle, self.listed_stat(script.path))
            bundle.save()

    def get_revision(self, id_: str) -> Script:
        """The script that ``id_`` (full or partial id, symbol, label) names."""
        with translate_errors():
            return self.revision_map.get_revision(id_)  # type: ignore[return-value]

    def get_revisions(self, id_: _RevIds) -> tuple[Script, ...]:
        """The scripts that one identifier or a sequence of identifiers names."""
        with translate_errors():
            return self.revision_map.get_revisions(id_)  # type: ignore[return-value]

    def get_all_current(self, id_: tuple[str, ...]) -> set[Script]:
        """The given revisions less those that are ancestors of others among them."""
        with translate_errors():
            return set(self.revision_map._get_all_current(id_))  # type: ignore[arg-type]

    def as_revision_number(self, id_: str | None) -> str | tuple[str, ...] | None:
        """A symbolic identifier (``head``, ``heads``, ``base``, ``label@head``) as revision
        id(s); other identifiers come back as given, as in Alembic.  ``None`` for base."""
        with translate_errors():
            revs, _label = self.revision_map._resolve_revision_number(id_)
        if not revs:
            return None
        if id_ == "heads":
            return tuple(revs)
        return revs[0]

    def get_heads(self, consider_depends_on: bool = False) -> list[str]:
        """All head revisions (ids); without dependency heads when ``consider_depends_on``."""
        if consider_depends_on:
            return list(self.revision_map._real_heads)
        return list(self.revision_map.heads)

    def get_current_head(self) -> str | None:
        """The one head revision (``None`` when there are no revisions)."""
        with translate_errors(
            multiple_heads=(
                "The script directory has multiple heads (due to branching)."
                "Please use get_heads(), or merge the branches using alembic merge."
            )
        ):
            return self.revision_map.get_current_head()

    def get_bases(self) -> list[str]:
        """All base revisions (ids)."""
        return list(self.revision_map.bases)

    def get_base(self) -> str | None:
        """The one base revision (``None`` when there are no revisions)."""
        bases = self.get_bases()
        if len(bases) > 1:
            raise CommandError("The script directory has multiple bases. Please use get_bases().")
        return bases[0] if bases else None

    def walk_revisions(self, base: str = "base", head: str = "heads") -> Iterator[Script]:
        """All revisions from ``head`` down to ``base``, newest first."""
        with translate_errors(start=base, end=head):
            revisions = list(
                self.revision_map.iterate_revisions(
                    head, base, inclusive=True, assert_relative_length=False
                )
            )
        yield from revisions  # type: ignore[misc]

    def iterate_revisions(self, upper: _RevIds, lower: _RevIds, **kw: Any) -> Iterator[Script]:
        """Revisions from ``upper`` down to ``lower`` (see ``RevisionMap.iterate_revisions``)."""
        return self.revision_map.iterate_revisions(upper, lower, **kw)  # type: ignore[return-value]

    # ------------------------------------------------------------------ planning runs

    def plan_upgrade(self, destination: str, current_heads: Sequence[str]) -> list[Step]:
        """Steps from ``current_heads`` up to ``destination``; each step's script is a Script."""
        from sterna.script.plan import plan_upgrade

        with translate_errors(end=destination):
            return plan_upgrade(self.revision_map, destination, current_heads)

    def plan_downgrade(self, destination: str, current_heads: Sequence[str]) -> list[Step]:
        """Steps from ``current_heads`` down to ``destination``."""
        from sterna.script.plan import plan_downgrade

        with translate_errors(end=destination):
            return plan_downgrade(self.revision_map, destination, current_heads)

    def plan_stamp(
        self, destinations: _RevIds, current_heads: Sequence[str], purge: bool = False
    ) -> list[Step]:
        """Version-table-only steps that make the heads ``destinations``."""
        from sterna.script.plan import plan_stamp

        if destinations is None or isinstance(destinations, str):
            destinations = (destinations or "base",)
        with translate_errors():
            return plan_stamp(self.revision_map, destinations, current_heads, purge)

    # Alembic's private names, used by some env.py files through ``context.configure(fn=...)``.
    def _upgrade_revs(self, destination: str, current_rev: Sequence[str]) -> list[Step]:
        return self.plan_upgrade(destination, _as_heads(current_rev))

    def _downgrade_revs(self, destination: str, current_rev: Sequence[str]) -> list[Step]:
        return self.plan_downgrade(destination, _as_heads(current_rev))

    def _stamp_revs(self, revision: _RevIds, heads: Sequence[str]) -> list[Step]:
        return self.plan_stamp(revision, _as_heads(heads))

    # ------------------------------------------------------------------ running env.py

    def run_env(self) -> None:
        """Run ``env.py`` (or its bytecode, for sourceless projects); its errors propagate."""
        path = python_file_or_bytecode(self.env_py_location)
        if path is None:
            raise ScriptError(self.env_py_location, "file not found")
        if self.console is not None:
            self.console.env_starts()  # the user's code gets the garbage collector back
        # env.py's own bytecode follows the interpreter's setting: a stale env.pyc would run
        # after env.py is deleted, as it does for Alembic
        load_module(path, name="env_py", always_cache_bytecode=False)

    # ------------------------------------------------------------------ new revisions

    def generate_revision(
        self,
        revid: str,
        message: str | None,
        head: _RevIds = None,
        splice: bool | None = False,
        branch_labels: _RevIds = None,
        version_path: str | os.PathLike[str] | None = None,
        file_template: str | None = None,
        depends_on: _RevIds = None,
        **kw: Any,
    ) -> Script | None:
        """Write a new script from ``script.py.mako`` and add it to the revision map."""
        from sterna.script import template
        from sterna.script.generate import NewRevision, plan_new_revision

        kw.pop("refresh", None)  # accepted for Alembic's callers; the map is always current
        new = plan_new_revision(
            self,
            NewRevision(
                revid=revid,
                message=message,
                head=head if head is not None else "head",
                splice=bool(splice),
                branch_labels=branch_labels,
                version_path=os.fspath(version_path) if version_path is not None else None,
                file_template=file_template or self.file_template,
                depends_on=depends_on,
                template_args=kw,
            ),
        )
        quiet = bool(self.messaging_opts.get("quiet"))
        for folder in new.folders_to_create:
            self._ensure_directory(folder)
        with status(f"Generating {new.path}", quiet=quiet):
            template.write_script(new.path, new.content)
        script = Script(new.path, new.header)
        self.revision_map.add_revision(script)
        return script

    def _rev_path(
        self, path: str | os.PathLike[str], rev_id: str, message: str | None, create_date: Any
    ) -> str:
        from sterna.script import template

        name = template.script_filename(
            self.file_template, rev_id, message, create_date, self.truncate_slug_length
        )
        return os.path.join(os.fspath(path), name)

    # ------------------------------------------------------------------ used by ``init``

    def _ensure_directory(self, path: str | os.PathLike[str]) -> None:
        path = os.path.abspath(os.fspath(path))
        if not os.path.exists(path):
            with status(f"Creating directory {path}", quiet=self._quiet):
                os.makedirs(path)

    def _copy_file(self, src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
        import shutil

        dest = os.path.abspath(os.fspath(dest))
        with status(f"Generating {dest}", quiet=self._quiet):
            shutil.copy(os.fspath(src), dest)

    def _generate_template(
        self, src: str | os.PathLike[str], dest: str | os.PathLike[str], **kw: Any
    ) -> None:
        from sterna.script import template

        dest = os.path.abspath(os.fspath(dest))
        with status(f"Generating {dest}", quiet=self._quiet):
            content = template.render(os.fspath(src), kw, self.output_encoding)
            template.write_script(dest, content, overwrite=True)

    def _append_template(
        self, src: str | os.PathLike[str], dest: str | os.PathLike[str], **kw: Any
    ) -> None:
        from sterna.script import template

        dest = os.path.abspath(os.fspath(dest))
        with status(f"Appending to existing {dest}", quiet=self._quiet):
            content = template.render(os.fspath(src), kw, self.output_encoding)
            with open(dest, "ab") as fh:
                fh.write(b"\n\n" + content)

    @property
    def _quiet(self) -> bool:
        return bool(self.messaging_opts.get("quiet"))


def _as_heads(heads: Sequence[str] | str | None) -> tuple[str, ...]:
    if heads is None:
        return ()
    if isinstance(heads, str):
        return (heads,)
    return tuple(h for h in heads if h)
