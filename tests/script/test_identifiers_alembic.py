"""The identifier grammar against Alembic's own RevisionMap, on random and hand-made graphs.

For every identifier of a pool (full ids, prefixes, symbols, labels, ``label@...``, relative
forms) both maps must give the same revisions, or fail in the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sterna.errors import CommandError
from tests.script._revision_support import (
    Spec,
    alembic_map,
    as_ids,
    chain,
    error_kind,
    graphs,
    identifier_pool,
    sterna_map,
)


def _outcome(call: Callable[[], object]) -> tuple[str, object]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = call()
    except Exception as err:  # Alembic may crash; the kind is compared
        return "error", error_kind(err)
    if isinstance(found, tuple):
        return "ok", as_ids(found)
    return "ok", as_ids([found])


def _compare(specs: Sequence[Spec], idents: Sequence[str]) -> None:
    ours, theirs = sterna_map(specs), alembic_map(specs)
    assert ours.heads == theirs.heads
    assert ours.bases == theirs.bases
    assert ours._real_heads == theirs._real_heads
    assert ours._real_bases == theirs._real_bases
    for ident in idents:
        for method in ("get_revisions", "get_revision"):
            mine = _outcome(lambda m=method, i=ident: getattr(ours, m)(i))  # type: ignore[misc]
            ref = _outcome(lambda m=method, i=ident: getattr(theirs, m)(i))  # type: ignore[misc]
            if ref[0] == "error" and str(ref[1]).startswith("crash:"):
                # Alembic fails with an assertion: Sterna must fail cleanly or give an answer
                assert mine[0] == "ok" or not str(mine[1]).startswith("crash:"), (method, ident)
                continue
            if method == "get_revisions" and mine[0] == "ok":
                # Sterna's public get_revisions maps Alembic's "base" walk result to None
                ref = (
                    "ok",
                    tuple(None if x == "base" else x for x in cast("Iterable[object]", ref[1])),
                )
            assert mine == ref, (method, ident)


BRANCHY = [
    *chain("a1a1a1", "b2b2b2", "c3c3c3"),
    Spec("d4d4d4", "b2b2b2", labels="feature"),
    Spec("e5e5e5", "d4d4d4"),
    Spec("f6f6f6", ("c3c3c3", "e5e5e5")),
    Spec("ae10aa", None, labels="other"),
    Spec("ae10bb", "ae10aa", deps="c3c3c3"),
    Spec("ae1fcc", "ae10bb"),
]


def test_handmade_graph_resolves_like_alembic() -> None:
    extra = [
        "feature@e5e5",
        "feature@head",
        "feature@base",
        "feature@-1",
        "other@ae1f",
        "other@c3c3",
        "ae10",
        "ae1",
        "ae1f",
        "a1a1@head",
        "d4d4d4@head",
        "nosuch@head",
        "heads",
        "c3c3@base",
        "oth",
        "othe",
        "feat",
        "f6f6f6@heads",
        "other@heads",
        "-3",
        "other@-2",
        "feature@-9",
    ]
    _compare(BRANCHY, identifier_pool(BRANCHY) + extra)


def test_label_prefix_and_revision_prefix_are_ambiguous_together() -> None:
    # "abcd" starts both a revision id and a branch label of another revision
    specs = [Spec("abcd1234", None), Spec("ffff0000", "abcd1234", labels="abcdlabel")]
    _compare(specs, ["abcd", "abcd1", "abcdl", "abc", "a", "ffff", "abcdlabel@head"])


def test_numeric_revision_ids_are_not_relative() -> None:
    specs = chain("1234", "5678", "9012")
    _compare(specs, ["1234", "5678", "-1", "-2", "-3", "-4", "123", "12", "9012@-1"])


def test_empty_map() -> None:
    _compare([], ["head", "heads", "base", "-1", "abcd"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans().flatmap(lambda dense: graphs(dense=dense)))
def test_random_graphs_resolve_like_alembic(specs: list[Spec]) -> None:
    _compare(specs, identifier_pool(specs))


@pytest.mark.parametrize("bad", [("a", "b"), 12, ["x"]])
def test_non_string_identifiers_are_rejected_clearly(bad: object) -> None:
    ours = sterna_map(BRANCHY)
    if isinstance(bad, tuple):
        with pytest.raises(CommandError):
            ours.get_revision(bad)  # type: ignore[arg-type]
        return
    with pytest.raises(CommandError, match="not a string"):
        ours.get_revision(bad)  # type: ignore[arg-type]
