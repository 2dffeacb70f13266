"""Building the revision graph: validation errors, heads and bases, links, labels, dependencies.

Derived data is compared with Alembic's RevisionMap built from the same declarations.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sterna.errors import (
    CycleDetected,
    DanglingReference,
    DuplicateBranchLabel,
    DuplicateRevision,
    GraphError,
    MultipleHeads,
    RevisionIdError,
    SelfReferenceError,
    UnknownRevision,
)
from sterna.script.revision import Revision, RevisionMap
from tests.script._revision_support import (
    PathRevision,
    Spec,
    alembic_map,
    chain,
    graphs,
    sterna_map,
)

# -- validation -----------------------------------------------------------------------------------


def test_cycle_names_the_revisions_on_it_and_their_files() -> None:
    specs = [
        Spec("base1", None),
        Spec("aaaa", ("base1", "cccc")),
        Spec("bbbb", "aaaa"),
        Spec("cccc", "bbbb"),
        Spec("dddd", "cccc"),
    ]
    with pytest.raises(CycleDetected) as info:
        sterna_map(specs)
    err = info.value
    assert set(err.revisions) == {"aaaa", "bbbb", "cccc"}
    assert not err.dependency
    message = str(err)
    assert message.startswith("Cycle detected in revisions: ")
    for rid in ("aaaa", "bbbb", "cccc"):
        assert f"/versions/{rid}_script.py" in message
    assert "dddd" not in message and "base1" not in message
    # the cycle is written in link order: each revision is the down_revision of the next
    order = list(err.revisions)
    for i, rid in enumerate(order):
        nxt = order[(i + 1) % len(order)]
        down = dict((s.rev, s.down) for s in specs)[nxt]
        assert down is not None and rid in down


def test_dependency_cycle_is_reported_as_such() -> None:
    specs = [*chain("aaaa", "bbbb"), Spec("xxxx", None, deps="bbbb"), Spec("yyyy", "xxxx")]
    specs[0] = Spec("aaaa", None, deps="yyyy")
    with pytest.raises(CycleDetected, match="^Dependency cycle detected") as info:
        sterna_map(specs)
    assert set(info.value.revisions) == {"aaaa", "bbbb", "xxxx", "yyyy"}


def test_whole_graph_in_a_cycle() -> None:
    with pytest.raises(CycleDetected) as info:
        sterna_map([Spec("aaaa", "bbbb"), Spec("bbbb", "aaaa")])
    assert set(info.value.revisions) == {"aaaa", "bbbb"}


def test_self_reference() -> None:
    with pytest.raises(SelfReferenceError, match="aaaa names itself in down_revision"):
        sterna_map([Spec("aaaa", "aaaa")])
    with pytest.raises(SelfReferenceError, match=r"in depends_on \(in /versions/aaaa_script"):
        sterna_map([Spec("aaaa", None, deps="aaaa")])


def test_duplicate_revision_names_both_files() -> None:
    first = PathRevision(Spec("aaaa", None))
    second = PathRevision(Spec("aaaa", None))
    second.path = "/other/aaaa_copy.py"
    with pytest.raises(DuplicateRevision) as info:
        RevisionMap([first, second])
    assert str(info.value) == (
        "Revision aaaa is declared twice: in /versions/aaaa_script.py and in /other/aaaa_copy.py"
    )


def test_dangling_down_revision_names_file_and_missing_id() -> None:
    with pytest.raises(DanglingReference) as info:
        sterna_map([Spec("aaaa", None), Spec("bbbb", "nope")])
    assert info.value.missing == "nope"
    assert "Revision bbbb (in /versions/bbbb_script.py) has down_revision 'nope'" in str(info.value)


def test_dangling_dependency() -> None:
    with pytest.raises(DanglingReference, match="has depends_on 'gone'"):
        sterna_map([Spec("aaaa", None), Spec("bbbb", "aaaa", deps="gone")])


def test_down_revision_naming_a_branch_label_is_explained() -> None:
    with pytest.raises(DanglingReference, match="'feat' is a branch label"):
        sterna_map([Spec("aaaa", None, labels="feat"), Spec("bbbb", "feat")])


def test_branch_label_used_twice() -> None:
    with pytest.raises(
        DuplicateBranchLabel, match="'feat' of revision bbbb .* already used by revision aaaa"
    ):
        sterna_map([Spec("aaaa", None, labels="feat"), Spec("bbbb", "aaaa", labels="feat")])


def test_branch_label_equal_to_a_revision_id() -> None:
    with pytest.raises(DuplicateBranchLabel, match="is the id of revision aaaa"):
        sterna_map([Spec("aaaa", None), Spec("bbbb", "aaaa", labels="aaaa")])


@pytest.mark.parametrize("rid", ["ab-cd", "ab@cd", "a+b", "a:b", ""])
def test_reserved_characters_in_revision_ids(rid: str) -> None:
    with pytest.raises(RevisionIdError):
        Revision(rid, None)


def test_all_graph_errors_are_command_errors() -> None:
    assert issubclass(GraphError, Exception)
    from sterna.errors import CommandError

    for cls in (CycleDetected, DanglingReference, DuplicateBranchLabel, DuplicateRevision):
        assert issubclass(cls, CommandError)


# -- derived data against Alembic ---------------------------------------------------------------


def _derived(rmap: object, specs: Sequence[Spec]) -> dict[str, object]:
    out: dict[str, object] = {}
    for s in specs:
        rev = rmap.get_revision(s.rev)  # type: ignore[attr-defined]
        out[s.rev] = (
            frozenset(rev.nextrev),
            frozenset(rev._all_nextrev),
            frozenset(rev.branch_labels),
            frozenset(rev._normalized_down_revisions),
            tuple(rev._versioned_down_revisions),
            rev.is_head,
            rev._is_real_head,
            rev.is_base,
            rev._is_real_base,
            rev.is_branch_point,
            rev._is_real_branch_point,
            rev.is_merge_point,
        )
    return out


def _same_as_alembic(specs: Sequence[Spec]) -> None:
    ours, theirs = sterna_map(specs), alembic_map(specs)
    assert (ours.heads, ours.bases) == (theirs.heads, theirs.bases)
    assert (ours._real_heads, ours._real_bases) == (theirs._real_heads, theirs._real_bases)
    assert _derived(ours, specs) == _derived(theirs, specs)


LABELLED = [
    *chain("a1a1", "b2b2", "c3c3"),
    Spec("d4d4", "c3c3", labels="feat"),
    Spec("e5e5", "d4d4"),
    Spec("f6f6", "b2b2"),
    Spec("g7g7", None, labels=("one", "two")),
    Spec("h8h8", "g7g7", deps="feat"),
    Spec("i9i9", ("e5e5", "h8h8")),
]


def test_handmade_graph_derivations_like_alembic() -> None:
    _same_as_alembic(LABELLED)


def test_label_spreads_down_a_single_line_to_the_branch_point() -> None:
    specs = [
        *chain("a1a1", "b2b2", "c3c3", "d4d4"),
        Spec("x1x1", "b2b2"),
        Spec("e5e5", "d4d4", labels="feat"),
    ]
    ours = sterna_map(specs)
    labelled = {r.revision for r in ours if "feat" in r.branch_labels}
    # up from e5e5 there is nothing; down it reaches d4d4 and c3c3, and stops at the branch
    # point b2b2
    assert labelled == {"e5e5", "d4d4", "c3c3"}
    assert ours.get_revision("e5e5")._orig_branch_labels == ("feat",)  # type: ignore[union-attr]
    _same_as_alembic(specs)


def test_redundant_dependency_is_normalised_away() -> None:
    specs = [
        *chain("a1a1", "b2b2"),
        Spec("x1x1", None),
        Spec("x2x2", "x1x1", deps="a1a1"),
        Spec("x3x3", "x2x2", deps=("a1a1", "b2b2")),
    ]
    ours = sterna_map(specs)
    x3 = ours.get_revision("x3x3")
    assert x3 is not None
    assert x3._resolved_dependencies == ("a1a1", "b2b2")
    assert x3._normalized_resolved_dependencies == ("b2b2",)  # a1a1 comes through x2x2
    assert x3._normalized_down_revisions == ("x2x2", "b2b2")
    _same_as_alembic(specs)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans().flatmap(lambda dense: graphs(max_size=12, dense=dense)))
def test_random_graph_derivations_like_alembic(specs: list[Spec]) -> None:
    _same_as_alembic(specs)


# -- map operations -------------------------------------------------------------------------------


def test_add_revision_updates_heads_and_links() -> None:
    rmap = sterna_map(LABELLED)
    rmap.add_revision(PathRevision(Spec("j0j0", "i9i9")))
    assert rmap.heads == ("f6f6", "j0j0")
    assert rmap.get_revision("i9i9").nextrev == frozenset({"j0j0"})  # type: ignore[union-attr]
    # the new revision inherits the labels of its branch
    assert {"feat", "one", "two"} <= rmap.get_revision("j0j0").branch_labels  # type: ignore[union-attr]


def test_add_revision_rejects_a_duplicate_and_keeps_the_map() -> None:
    rmap = sterna_map(LABELLED)
    with pytest.raises(DuplicateRevision):
        rmap.add_revision(PathRevision(Spec("e5e5", "i9i9")))
    assert rmap.heads == ("f6f6", "i9i9")
    assert rmap.get_revision("e5e5").nextrev == frozenset({"i9i9"})  # type: ignore[union-attr]


def test_rebuilding_from_the_same_objects_starts_afresh() -> None:
    revs = [PathRevision(s) for s in LABELLED]
    RevisionMap(revs)
    again = RevisionMap(revs[:4])
    assert again.heads == ("d4d4",)
    assert again.get_revision("b2b2").nextrev == frozenset({"c3c3"})  # type: ignore[union-attr]
    assert again.get_revision("c3c3").branch_labels == {"feat"}  # type: ignore[union-attr]


def test_get_current_head() -> None:
    rmap = sterna_map(LABELLED)
    with pytest.raises(MultipleHeads):
        rmap.get_current_head()
    assert rmap.get_current_head("feat") == "i9i9"
    assert sterna_map(chain("aaaa", "bbbb")).get_current_head() == "bbbb"
    assert sterna_map([]).get_current_head() is None


def test_current_revisions_for_the_current_command() -> None:
    rmap = sterna_map(LABELLED)
    found = [r.revision for r in rmap.current_revisions(["h8h8"])]
    # h8h8 depends on feat (d4d4): its line up to d4d4 is applied too
    assert found == ["d4d4", "h8h8"]
    assert [r.revision for r in rmap.current_revisions(["i9i9", "f6f6"])] == ["f6f6", "i9i9"]
    assert rmap.current_revisions([]) == ()
    with pytest.raises(UnknownRevision, match="^Can't locate revision identified by 'xyz9'$"):
        rmap.current_revisions(["xyz9"])


def test_current_revisions_like_alembic() -> None:
    ours, theirs = sterna_map(LABELLED), alembic_map(LABELLED)
    for heads in [("h8h8",), ("i9i9",), ("e5e5", "h8h8"), ("c3c3", "g7g7"), ("f6f6", "d4d4")]:
        expected = {r.revision for r in theirs._get_all_current(heads)}  # type: ignore[union-attr]
        assert {r.revision for r in ours.current_revisions(heads)} == expected


def test_filter_for_lineage_like_alembic() -> None:
    ours, theirs = sterna_map(LABELLED), alembic_map(LABELLED)
    ids = [s.rev for s in LABELLED]
    for against in ["feat", "one", "b2b2", "f6f6", "base", "heads", "g7g7@head", "feat@base"]:
        for deps in (False, True):
            assert ours.filter_for_lineage(ids, against, deps) == theirs.filter_for_lineage(
                ids, against, deps
            ), (against, deps)


@pytest.mark.parametrize("deps", ["cccc", ["cccc"], ("c1", "c2"), None, [], ()])
def test_dependencies_take_alembics_form(deps: str | list[str] | tuple[str, ...] | None) -> None:
    """``dependencies`` is None, the one id, or a tuple, as Alembic's Revision gives it."""
    from alembic.script.revision import Revision as AlembicRevision

    ours = Revision("bbbb", "aaaa", dependencies=deps)
    theirs = AlembicRevision("bbbb", "aaaa", dependencies=deps)  # type: ignore[arg-type]
    assert ours.dependencies == theirs.dependencies
    assert ours.dependency_ids == ((deps,) if isinstance(deps, str) else tuple(deps or ()))


def test_revision_keeps_declarations_in_alembic_form() -> None:
    one = Revision("bbbb", ["aaaa"], dependencies="cccc", branch_labels=["x", "y"])
    assert one.down_revision == "aaaa" and one.down_revisions == ("aaaa",)
    assert one.dependencies == "cccc" and one.dependency_ids == ("cccc",)
    assert one._orig_branch_labels == ("x", "y") and one.branch_labels == {"x", "y"}
    merge = Revision("mmmm", ("aaaa", "bbbb"))
    assert merge.down_revision == ("aaaa", "bbbb") and merge.is_merge_point
    base = Revision("aaaa", ())
    assert base.down_revision is None and base.is_base and base._is_real_base
    assert not Revision("dddd", None, dependencies="aaaa")._is_real_base
    assert repr(one) == "Revision('bbbb', 'aaaa', dependencies='cccc', branch_labels=['x', 'y'])"


def test_verify_rev_id() -> None:
    Revision.verify_rev_id("abc123_def")
    with pytest.raises(RevisionIdError, match="contains the character"):
        Revision.verify_rev_id("abc:def")


def test_subclass_with_a_path_is_named_in_id_errors() -> None:
    with pytest.raises(RevisionIdError, match=r"\(in /versions/a-b_script.py\)"):
        PathRevision(Spec("a-b"))
