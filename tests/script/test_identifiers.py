"""The identifier grammar by hand: what each form names, and each error's message."""

from __future__ import annotations

import pytest

from sterna.errors import (
    AmbiguousRevision,
    AmbiguousUpgrade,
    AmbiguousWalk,
    InvalidDowngradeTarget,
    MultipleHeads,
    NotInBranch,
    OverlappingRevisions,
    RelativeRevisionError,
    UnknownBranch,
    UnknownRevision,
)
from sterna.script.plan import plan_downgrade, plan_upgrade
from sterna.script.revision import BASE
from tests.script._revision_support import Spec, chain, sterna_map

GRAPH = [
    *chain("1a2b3c4d", "2b3c4d5e", "3c4d5e6f"),
    Spec("4d5e6f70", "2b3c4d5e", labels="feature"),
    Spec("5e6f7081", "4d5e6f70"),
    Spec("ae10aaaa", None, labels="other"),
    Spec("ae10bbbb", "ae10aaaa"),
]


def _ids(found: tuple[object, ...]) -> list[object]:
    return [getattr(r, "revision", r) for r in found]


def test_what_identifiers_name() -> None:
    rmap = sterna_map(GRAPH)
    assert rmap.get_revision("3c4d5e6f").revision == "3c4d5e6f"  # type: ignore[union-attr]
    assert rmap.get_revision("3c4d").revision == "3c4d5e6f"  # type: ignore[union-attr]
    assert rmap.get_revision("feature").revision == "4d5e6f70"  # type: ignore[union-attr]
    assert rmap.get_revision("feature@head").revision == "5e6f7081"  # type: ignore[union-attr]
    assert rmap.get_revision("other@base") is None
    assert rmap.get_revision("base") is None
    assert _ids(rmap.get_revisions("heads")) == ["3c4d5e6f", "5e6f7081", "ae10bbbb"]
    assert _ids(rmap.get_revisions("feature@heads")) == ["5e6f7081"]
    assert _ids(rmap.get_revisions("other@-1")) == ["ae10aaaa"]
    # two steps down from each head that nothing depends on; ae10bbbb has only one below it
    assert _ids(rmap.get_revisions("-2")) == ["1a2b3c4d", "2b3c4d5e", None]
    assert _ids(rmap.get_revisions(["3c4d", "base", "feature"])) == ["3c4d5e6f", "4d5e6f70"]
    assert rmap._walk("ae10aaaa", -1) is BASE
    assert rmap._walk("2b3c4d5e", 1, branch_label="feature").revision == "4d5e6f70"  # type: ignore[union-attr]
    assert rmap.get_revision("3c4d5e6f@head").revision == "3c4d5e6f"  # type: ignore[union-attr]


def test_unknown_revision() -> None:
    with pytest.raises(UnknownRevision, match="^Can't locate revision identified by 'ffff'$"):
        sterna_map(GRAPH).get_revision("ffff")


def test_ambiguous_prefix_names_the_candidates() -> None:
    with pytest.raises(AmbiguousRevision) as info:
        sterna_map(GRAPH).get_revision("ae10")
    assert str(info.value) == "Multiple revisions start with 'ae10': ae10aaaa, ae10bbbb"


def test_unknown_branch() -> None:
    rmap = sterna_map(GRAPH)
    with pytest.raises(UnknownBranch, match=r"identified by 'nosuch' \(no such branch\)"):
        rmap.get_revision("nosuch@3c4d5e6f")
    # with a symbol, the label is read as an identifier (as Alembic does)
    with pytest.raises(UnknownRevision, match="identified by 'nosuch'$"):
        rmap.get_revision("nosuch@head")


def test_revision_outside_the_branch() -> None:
    with pytest.raises(NotInBranch) as info:
        sterna_map(GRAPH).get_revision("other@3c4d5e6f")
    assert str(info.value) == (
        "Can't locate revision identified by '3c4d5e6f' "
        "(revision 3c4d5e6f is not a member of branch 'other')"
    )
    # a prefix is only matched within the branch
    with pytest.raises(UnknownRevision, match="identified by '3c4d'$"):
        sterna_map(GRAPH).get_revision("other@3c4d")


def test_several_heads_for_head() -> None:
    with pytest.raises(MultipleHeads) as info:
        sterna_map(GRAPH).get_revision("head")
    assert set(info.value.heads) == {"3c4d5e6f", "5e6f7081", "ae10bbbb"}
    assert "for given argument 'head'" in str(info.value)


def test_relative_walk_through_a_branch_point() -> None:
    with pytest.raises(AmbiguousWalk) as info:
        sterna_map(GRAPH)._walk("2b3c4d5e", 1)
    assert str(info.value).startswith(
        "Ambiguous walk: from 2b3c4d5e the next revision could be any of 3c4d5e6f, 4d5e6f70"
    )


def test_relative_upgrade_from_several_heads() -> None:
    with pytest.raises(AmbiguousUpgrade, match=r"multiple current revisions \(3c4d5e6f, 5e6f"):
        plan_upgrade(sterna_map(GRAPH), "+1", ("3c4d5e6f", "5e6f7081"))


def test_relative_too_far() -> None:
    rmap = sterna_map(GRAPH)
    with pytest.raises(RelativeRevisionError, match=r"^Relative revision -1 didn't produce 1 "):
        plan_downgrade(rmap, "-1", ())
    with pytest.raises(RelativeRevisionError, match="from 3c4d5e6f$"):
        plan_upgrade(rmap, "3c4d5e6f+1", ())


def test_overlapping_targets() -> None:
    rmap = sterna_map(GRAPH)
    with pytest.raises(OverlappingRevisions, match="^Requested revision 3c4d5e6f overlaps"):
        list(rmap.iterate_revisions(("2b3c4d5e", "3c4d5e6f"), "base"))


def test_downgrade_label_without_a_branch_below_the_target() -> None:
    specs = [
        *chain("aaaa", "bbbb"),
        Spec("cccc", "bbbb"),
        Spec("dddd", "bbbb"),
        Spec("eeee", None, labels="lone"),
    ]
    with pytest.raises(InvalidDowngradeTarget, match="lone@bbbb"):
        plan_downgrade(sterna_map(specs), "lone@bbbb", ("cccc", "dddd", "eeee"))
