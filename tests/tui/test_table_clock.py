"""The object table's clock tick: rows are rendered again only when a cell on screen reads
differently, and rows off screen never come back with an old time from the render cache."""

from __future__ import annotations

from textual.app import App, ComposeResult

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.tui.widgets.object_table import ObjectTable
from tests.tui.conftest import NOW_MS

YEAR_MS = 365 * 24 * 3600 * 1000


def _object(i: int, created: int) -> ObjectView:
    return ObjectView(
        id=f"obj_{i:04d}",
        name=f"run-{i:04d}/result.json",
        state=ObjectState.READ_ONLY,
        content_type=ContentType.TEXT,
        create_time_ms=created,
        size_bytes=1_000 + i,
    )


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ObjectTable()


def _text(table: ObjectTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def test_a_tick_renders_rows_again_only_when_a_time_on_screen_changes() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one(ObjectTable)
        # A year old, except row 80 (off screen): two seconds old.
        objects = [_object(i, NOW_MS - YEAR_MS - i) for i in range(100)]
        objects[80] = _object(80, NOW_MS - 2_000)
        table.set_now(NOW_MS)
        table.set_rows(objects, list(range(100)))
        table.move_cursor(80)
        await pilot.pause()
        assert "2s ago" in _text(table, 80 - round(table.scroll_y) + 1)
        table.move_cursor(0)
        await pilot.pause()
        first = _text(table, 1)
        assert "1y ago" in first

        rendered = 0
        render_row = table._render_row

        def counted(*args: object, **kwargs: object) -> object:
            nonlocal rendered
            rendered += 1
            return render_row(*args, **kwargs)  # type: ignore[arg-type]

        table._render_row = counted  # type: ignore[method-assign, assignment]
        for second in range(1, 61):  # a minute of ticks: every row on screen reads "1y ago"
            table.set_now(NOW_MS + second * 1_000)
            await pilot.pause()
        assert rendered == 0
        assert _text(table, 1) == first
        # Row 80 was rendered at NOW_MS and cached; now it is a minute old.
        table.move_cursor(80)
        await pilot.pause()
        line = _text(table, 80 - round(table.scroll_y) + 1)
        assert "1m ago" in line and "2s ago" not in line
        rendered = 0
        table.set_now(NOW_MS + 121_000)  # row 80, on screen, reads "2m ago" now
        await pilot.pause()
        assert rendered > 0
        assert "2m ago" in _text(table, 80 - round(table.scroll_y) + 1)
