"""ObjectIndex: appending pages and replacing everything on refresh."""

from __future__ import annotations

from runloop_tui.api.models import ObjectState
from runloop_tui.query.filter import ObjectIndex, compile_filter

from .helpers import NOW, obj


def test_extend_appends_in_load_order() -> None:
    index = ObjectIndex([obj("a report"), obj("b")])
    index.extend(iter([obj("c report"), obj("d")]))  # any iterable, e.g. a generator
    assert len(index) == 4
    assert [o.name for o in index.objects] == ["a report", "b", "c report", "d"]
    assert index[2].name == "c report"
    assert compile_filter("report").filter_indices(index, NOW) == [0, 2]


def test_replace_all_drops_old_objects() -> None:
    index = ObjectIndex([obj("old report"), obj("x")])
    index.replace_all([obj("new report", state=ObjectState.ERROR)])
    assert len(index) == 1
    assert compile_filter("report").filter_indices(index, NOW) == [0]
    assert compile_filter("state:error").filter_indices(index, NOW) == [0]
    assert compile_filter("old").filter_indices(index, NOW) == []


def test_replace_all_with_its_own_objects() -> None:
    index = ObjectIndex([obj("a"), obj("b")])
    index.replace_all(index.objects)
    assert [o.name for o in index.objects] == ["a", "b"]
    assert compile_filter("name:b").filter_indices(index, NOW) == [1]


def test_empty_index() -> None:
    index = ObjectIndex()
    assert len(index) == 0
    assert compile_filter("").filter_indices(index, NOW) == []
    assert compile_filter("x state:error").filter_indices(index, NOW) == []


def test_empty_filter_returns_every_position() -> None:
    index = ObjectIndex([obj(str(i)) for i in range(5)])
    assert compile_filter("").filter_indices(index, NOW) == [0, 1, 2, 3, 4]


def test_the_names_buffer_finds_what_a_pass_over_every_row_finds() -> None:
    """name_hits (one str.find scan) against the per-row pass, on names that make offsets
    hard: upper case that lowers to more characters, newlines inside names, empty names,
    a needle at the very start and end of the buffer, and pages appended between searches."""
    import random

    rng = random.Random(7)
    alphabet = ["a", "b", "A", "B", "\n", "İ", "i̇", "/", "-", "ß", " "]
    index = ObjectIndex()
    needles = ["a", "ab", "ba", "i̇", "İ".lower(), "/a", "b-", "aa b", "ß", "zz"]
    checked = 0
    for _page in range(6):
        index.extend(
            obj("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))))
            for _ in range(rng.randint(1, 200))
        )
        for needle in needles:
            expected = [i for i, o in enumerate(index.objects) if needle in o.name.lower()]
            hits = index.name_hits(needle)
            if hits is not None:
                assert hits == expected, needle
                checked += 1
            # Through the filter: the same rows whichever way they are found.
            compiled = compile_filter(f'"{needle}"' if " " in needle else needle)
            sparse = compiled.sparse_indices(index, NOW)
            if sparse is not None:
                assert sparse == compiled.filter_indices(index, NOW), needle
    assert checked > 10  # the buffer path really ran


def test_the_names_buffer_gives_up_when_many_rows_match() -> None:
    index = ObjectIndex([obj(f"bulk/{i:05d}.txt") for i in range(1000)])
    assert index.name_hits("bulk") is None  # every row: a pass over the rows is cheaper
    assert index.name_hits("00999") == [999]
    assert index.name_hits("") is None
    assert compile_filter("-bulk").sparse_indices(index, NOW) is None  # negations: no
    assert compile_filter("00999 type:unspecified").sparse_indices(index, NOW) == [999]
    assert compile_filter("00999 type:text").sparse_indices(index, NOW) == []
