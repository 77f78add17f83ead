"""The columns are declared once (tui/columns.py): sorting and the table derive from them."""

from __future__ import annotations

import pytest

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.columns import (
    COLUMNS,
    SORT_COLUMNS,
    default_descending,
    sort_key_of,
)
from runloop_tui.tui.widgets.cell_fit import layout_columns

NOW = 1_893_456_000_000


def make(i: int, **kw: object) -> ObjectView:
    fields: dict[str, object] = {
        "id": f"obj_{i:04d}",
        "name": f"n{i % 7}",
        "state": ObjectState.READ_ONLY,
        "content_type": ContentType.TEXT,
        "create_time_ms": NOW - i * 1000,
        "size_bytes": (i * 37) % 11,
        "delete_after_time_ms": None if i % 3 else NOW + i,
    }
    fields.update(kw)
    return ObjectView(**fields)  # type: ignore[arg-type]


def test_sort_columns_are_the_sortable_columns_left_to_right() -> None:
    assert tuple(c.key for c in COLUMNS if c.sort_key is not None) == SORT_COLUMNS
    assert SORT_COLUMNS == ("name", "state", "type", "size", "created", "expires", "id")
    assert [c for c in SORT_COLUMNS if default_descending(c)] == ["size", "created"]
    with pytest.raises(ValueError, match="unknown sort column 'mark'"):
        sort_key_of("mark")


@pytest.mark.parametrize("column", SORT_COLUMNS)
def test_the_model_sorts_by_each_columns_declared_key(column: str) -> None:
    objects = [make(i) for i in range(40)] + [make(99, size_bytes=None, state="WEIRD")]
    model = BrowserModel()
    model.ingest(objects, NOW)
    for descending in (False, True):
        model.set_sort(column, descending)
        keys = [sort_key_of(column)(o) for o in model.visible_objects]
        assert keys == sorted(keys, reverse=descending)


def test_every_cell_renders_for_odd_objects() -> None:
    odd = make(1, size_bytes=None, state="SOMETHING_NEW", content_type="application/x-new")
    for column in COLUMNS:
        text = column.text(odd, True, NOW)
        assert isinstance(text, str)
        if column.style is not None:
            assert column.style(odd, NOW) in (None, "muted", "expiring") or str(
                column.style(odd, NOW)
            ).startswith("state-")
    state = next(c for c in COLUMNS if c.key == "state")
    assert state.style is not None and state.style(odd, NOW) == "muted"


def test_layout_follows_the_declared_priorities() -> None:
    wide = [c.key for c, _ in layout_columns(160)]
    assert wide == [c.key for c in COLUMNS]
    # The lowest `keep` drops first.
    dropped_first = min((c for c in COLUMNS if c.keep), key=lambda c: c.keep).key
    assert dropped_first not in [c.key for c, _ in layout_columns(80)]


@pytest.mark.parametrize("marked", [3, 30, 400])
def test_hidden_mark_count_agrees_with_the_rows_either_way(marked: int) -> None:
    from runloop_tui.query.filter import compile_filter

    objects = [make(i) for i in range(400)]
    model = BrowserModel()
    model.ingest(objects, NOW)
    for o in objects[:marked]:
        model.toggle_mark(o.id)  # obj_0000 has expired; it is listed, so it can be marked
    assert len(model.marks) == marked
    for text in ("", "n1", "n1 n2", "size>5", "-n3"):
        model.set_filter(compile_filter(text), NOW)
        shown = {o.id for o in model.visible_objects}
        hidden = model.marks - shown
        assert model.hidden_mark_count(NOW) == len(hidden) == len(model.hidden_marked_ids())
        assert model.marked_bytes == sum(o.size_bytes or 0 for o in model.marked_objects)
