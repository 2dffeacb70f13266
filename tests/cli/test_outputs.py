"""Command output compared line for line with real Alembic on the same project."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Project, failure, unordered_lists


def build_graph(project: Project) -> None:
    """Two bases, a branch point, a labelled branch, a merge and a cross-branch dependency::

    a1 <- b2 <- c3 <- d4a (feature) <- e5a <-+
                   <- d4b <- e5b <-----------+- m6
    x1 (other) <- x2 (depends on c3)
    """
    project.add("a1", None, "create accounts", body_doc="Longer text\nover two lines.\n")
    project.add("b2", "a1", "add email")
    project.add("c3", "b2", "add orders")
    project.add("d4a", "c3", "feature start", labels="feature")
    project.add("e5a", "d4a", "feature more")
    project.add("d4b", "c3", "other side")
    project.add("e5b", "d4b", "other side more")
    project.add("m6", ("e5a", "e5b"), "merge branches")
    project.add("x1", None, "second base", labels=("other",))
    project.add("x2", "x1", "needs orders", depends="c3")


@pytest.fixture
def graph(project: Project) -> Project:
    build_graph(project)
    return project


def test_heads(graph: Project) -> None:
    out = graph.same("heads", sort=True)
    assert sorted(out.splitlines()) == ["m6 (feature) (head)", "x2 (other) (head)"]
    graph.same("heads", "-v", sort=True)
    graph.same("heads", "--resolve-dependencies", sort=True)


def test_branches(graph: Project) -> None:
    out = graph.same("branches", sort=True)  # Alembic lists the children in set order
    assert out.splitlines() == sorted(["", "c3 (branchpoint)", "   -> d4a (feature)", "   -> d4b"])
    ours = graph.sterna("branches").out
    assert ours == "c3 (branchpoint)\n   -> d4a (feature)\n   -> d4b\n\n"
    graph.same("branches", "-v", sort=True)


def test_history_plain_and_verbose(graph: Project) -> None:
    out = graph.same("history")
    assert len(out.splitlines()) == 10
    verbose = graph.same("history", "-v")
    assert "Longer text" in verbose


@pytest.mark.parametrize(
    "rev_range",
    [
        "a1:c3",
        "c3:",
        ":d4a",
        "b2:feature@head",
        "base:heads",
        "x1:x2",
        ":c3",
        "d4b:m6",
        "-1:",
        "-2:",
        "c3:+2",
        "b2:+1",
        "-1:c3",
        "-2:c3",
    ],
)
def test_history_ranges(graph: Project, rev_range: str) -> None:
    graph.same("history", f"-r{rev_range}", may_fail=True)
    graph.same("history", "-v", f"--rev-range={rev_range}", may_fail=True)


@pytest.mark.parametrize(
    "rev", ["c3", "m6", "feature@head", "x2", "a1", "heads", "d4", "other@head"]
)
def test_show(graph: Project, rev: str) -> None:
    ours, theirs = graph.sterna("show", rev), graph.alembic("show", rev)
    assert ours.status == theirs.status
    if ours.status == 0:
        assert unordered_lists(ours.out.replace(str(graph.ours), "<ROOT>")) == unordered_lists(
            theirs.out.replace(str(graph.theirs), "<ROOT>")
        )
    else:
        failure(ours.err)
        assert ours.err.count("\n") == 1


def test_unknown_revision_is_one_failed_line(graph: Project) -> None:
    result = graph.sterna("show", "zzz")
    assert result.status == 1
    assert "'zzz'" in failure(result.err)
    assert result.err.count("\n") == 1


# ---------------------------------------------------------------------- with a database


@pytest.mark.parametrize("stamped", [(), ("c3",), ("e5a", "d4b"), ("m6", "x2")])
def test_current_and_indicated_history(graph: Project, stamped: tuple[str, ...]) -> None:
    if stamped:
        assert graph.alembic("stamp", *stamped).status == 0
    graph.same("current", sort=True)
    graph.same("current", "-v", sort=True)
    graph.same("history", "-i")
    graph.same("history", "-r", "current:", "-i")
    graph.same("show", "current", sort=True)


def test_current_check_heads(graph: Project) -> None:
    graph.alembic("stamp", "c3")
    result = graph.sterna("current", "--check-heads")
    assert result.status == 1
    assert failure(result.err) == "Database is not on all head revisions"
    graph.alembic("stamp", "--purge", "heads")
    assert graph.sterna("current", "-c").status == 0


# ---------------------------------------------------------------------- history with current


@pytest.fixture
def chain(project: Project) -> Project:
    for index, rev in enumerate(["aaa1", "bbb2", "ccc3", "ddd4", "eee5"]):
        project.add(rev, None if index == 0 else ["aaa1", "bbb2", "ccc3", "ddd4"][index - 1])
    return project


def revs(out: str) -> list[str]:
    """The revision ids listed by a plain history, newest first."""
    return [line.split(" -> ")[1].split(" ")[0].rstrip(",") for line in out.splitlines()]


def test_history_relative_to_current_when_behind_head(chain: Project) -> None:
    chain.alembic("stamp", "ccc3")
    result = chain.sterna("history", "-r-2:current")
    assert result.status == 0, result
    # two generations below the current revision, and the current revision itself
    assert revs(result.out) == ["ccc3", "bbb2", "aaa1"]
    assert revs(chain.sterna("history", "-r", "-1:current").out) == ["ccc3", "bbb2"]
    assert revs(chain.sterna("history", "-r", "-9:current").out) == ["ccc3", "bbb2", "aaa1"]
    assert revs(chain.sterna("history", "-r", "current:+1").out) == ["ddd4", "ccc3"]
    # where Alembic is right, the same answer
    chain.same("history", "-r", "current:")
    chain.same("history", "-r", ":current")
    chain.same("history", "-r", "bbb2:current")


def test_history_current_on_an_empty_database(chain: Project) -> None:
    assert chain.sterna("history", "-r", ":current").out == ""
    assert chain.sterna("history", "-r", "-2:current").out == ""
    assert revs(chain.sterna("history", "-r", "current:").out) == [
        "eee5",
        "ddd4",
        "ccc3",
        "bbb2",
        "aaa1",
    ]
    assert revs(chain.sterna("history", "-r", "current:+2").out) == ["bbb2", "aaa1"]


def test_history_range_syntax_error(chain: Project) -> None:
    result = chain.sterna("history", "-r", "ccc3")
    assert result.status == 1
    assert "[start]:[end]" in failure(result.err)
