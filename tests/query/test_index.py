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
