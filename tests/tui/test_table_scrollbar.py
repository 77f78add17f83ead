"""The object table when its vertical scrollbar comes and goes: every row it draws is as wide
as the room left beside the scrollbar.

Found while chasing the help-screen snapshot flake (tests/tui/test_snapshots_browser.py): rows
drawn before the scrollbar appeared stayed in the render cache one cell too wide, so the
right-aligned last column slid under the scrollbar until something else bumped the epoch.
Whether a paint fell between the first rows and the scrollbar depended on machine load.
"""

from __future__ import annotations

from textual.app import App, ComposeResult

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.tui.widgets.object_table import ObjectTable
from tests.tui.conftest import NOW_MS


def _object(i: int) -> ObjectView:
    return ObjectView(
        id=f"obj_{i:04d}",
        name=f"run-{i:04d}/result.json",
        state=ObjectState.READ_ONLY,
        content_type=ContentType.TEXT,
        create_time_ms=NOW_MS - i * 60_000,
        size_bytes=1_000 + i,
    )


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ObjectTable()


async def test_rows_drawn_before_the_scrollbar_are_redrawn_narrower() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ObjectTable)
        objects = [_object(i) for i in range(3)]
        table.set_rows(objects, list(range(3)))
        await pilot.pause()
        wide = table.scrollable_content_region.width
        assert [table.render_line(y).cell_length for y in (1, 2, 3)] == [wide] * 3
        # More of the same listing arrives (loading appends): now the rows overflow.
        objects.extend(_object(i) for i in range(3, 60))
        table.set_rows(objects, list(range(60)))
        await pilot.pause()
        narrow = table.scrollable_content_region.width
        assert narrow == wide - 1  # the scrollbar took a column
        assert [table.render_line(y).cell_length for y in (1, 2, 3, 4)] == [narrow] * 4


async def test_pages_below_a_long_list_repaint_the_scrollbar_only_when_its_thumb_moves() -> None:
    """Each page of a load grows the table; repainting the bar repaints every widget under
    its column (at a million objects most of a load's paint cost). When the thumb looks the
    same, only the bar's numbers change; what is on screen must equal a full repaint."""
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ObjectTable)
        objects = [_object(i) for i in range(60)]
        table.set_rows(objects, list(range(60)))
        await pilot.pause()
        bar = table.vertical_scrollbar
        renders = 0
        render = bar.render

        def counted() -> object:
            nonlocal renders
            renders += 1
            return render()

        bar.render = counted  # type: ignore[method-assign, assignment]

        async def grow(count: int) -> int:
            before = renders
            objects.extend(_object(i) for i in range(len(objects), count))
            table.set_rows(objects, list(range(count)))
            await pilot.pause()
            assert bar.window_virtual_size == count + 1
            painted = renders - before
            shown = app.export_screenshot()
            table._scroll_update(table.virtual_size)  # Textual's own path: a full repaint
            await pilot.pause()
            assert app.export_screenshot() == shown
            return painted

        assert await grow(600) == 1  # the thumb shrank to one cell: repainted
        assert await grow(5_000) == 0  # one cell at its least, at the top: not repainted
        assert await grow(20_000) == 0
        table.move_cursor(10_000)  # the view follows the cursor
        await pilot.pause()
        assert table.scroll_y > 9_000
        assert await grow(20_001) == 0  # mid-list, one more row: the thumb stays put
        assert await grow(40_000) == 1  # it moves up the bar as the list doubles
