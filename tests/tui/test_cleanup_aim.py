"""The cleanup never aims at a row you cannot see: the cursor stays on screen after a sort
or a filter, every sort shows where it is, and marks hidden by the filter are shown."""

from __future__ import annotations

from textual.widgets import Input, Static

from runloop_tui.api.models import ObjectState
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.screens.browser import BrowserScreen
from runloop_tui.tui.widgets.object_table import ObjectTable
from tests.notified import notified

from .actions_helpers import wait_gone, wait_screen
from .conftest import AppFactory, browsing


def cursor_on_screen(table: ObjectTable) -> bool:
    """Geometry, independent of the table's own bookkeeping: line 0 is the column header."""
    top = round(table.scroll_y)
    body = table.scrollable_content_region.height - 1
    return top <= table.cursor_row < top + body


def header_line(table: ObjectTable) -> str:
    return table.render_line(0).text


async def test_after_a_sort_the_cursor_row_is_on_screen(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        table = screen.query_one(ObjectTable)
        # The smallest object under the cursor, the list sorted biggest first: it goes last.
        smallest = min(
            (o for o in screen.visible_objects if o.size_bytes is not None),
            key=lambda o: o.size_bytes or 0,
        )
        screen.select_object(smallest.id)
        await pilot.pause()
        screen.set_sort("size", True)
        await pilot.pause()
        assert table.current_object == smallest
        assert table.cursor_row > 100
        assert cursor_on_screen(table)
        # What d would delete is what the detail pane and the screen show.
        assert screen.selected_object == smallest


async def test_after_a_filter_the_cursor_row_is_on_screen(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        table = screen.query_one(ObjectTable)
        table.move_cursor(150)
        await pilot.pause()
        target = table.current_object
        assert target is not None and cursor_on_screen(table)
        # A filter that keeps the cursor's object but moves it far up the list.
        screen.set_filter(f"type:{target.content_type}")
        await pilot.pause()
        assert table.current_object == target
        assert table.cursor_row < 140
        assert cursor_on_screen(table)


async def test_the_sort_cycle_offers_only_columns_on_screen(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        table = screen.query_one(ObjectTable)
        assert "id" not in table.visible_columns  # too narrow for the id column
        seen = []
        for _ in range(12):
            await pilot.press("s")
            seen.append(screen.model.sort[0])
            # Every sort shows its arrow in the header.
            assert "▲" in header_line(table) or "▼" in header_line(table)
        assert "id" not in seen
        assert set(seen) == set(table.visible_columns) - {"mark"}


async def test_a_sort_by_a_column_not_shown_says_so(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        screen.set_sort("id", False)
        await pilot.pause()
        assert "sorted by id▲" in header_line(screen.query_one(ObjectTable))


async def _mark_nine_three_hidden(screen: BrowserScreen, pilot: object) -> list[str]:
    objects = screen.visible_objects
    uploading = [o.id for o in objects if o.state is ObjectState.UPLOADING][:3]
    ready = [o.id for o in objects if o.state is ObjectState.READ_ONLY][:6]
    assert len(uploading) == 3 and len(ready) == 6
    screen.mark_objects(uploading + ready)
    screen.set_filter("state:read_only")
    return uploading


async def test_marks_hidden_by_the_filter_are_in_the_header_and_listed_first(
    demo_app: AppFactory,
) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        hidden = await _mark_nine_three_hidden(screen, pilot)
        await pilot.pause()
        assert "marked 9" in screen.header.text
        assert "3 hidden by filter" in screen.header.text
        assert screen.availability().hidden_marks == 3
        await pilot.press("D")
        modal = await wait_screen(app, pilot, BulkDeleteModal)
        warning = modal.query_one("#hidden-warning", Static)
        assert str(warning.content).startswith("3 of the 9 marked are hidden by the current filter")
        assert {o.id for o in modal.objects[:3]} == set(hidden)
        names = str(modal.query_one("#names Static", Static).content).splitlines()
        assert all("(hidden by the filter)" in line for line in names[:3])
        assert not any("hidden" in line for line in names[3:])
        # Not a word that reads as what to type.
        assert modal.query_one("#count", Input).placeholder == ""


async def test_backing_out_of_the_bulk_dialog_never_clears_marks(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, notifications=True) as (pilot, screen):
        await _mark_nine_three_hidden(screen, pilot)
        await pilot.press("D")
        await wait_screen(app, pilot, BulkDeleteModal)
        await pilot.press("escape")  # closes the dialog
        await wait_gone(app, pilot, BulkDeleteModal)
        await pilot.press("escape")  # clears the filter first
        await pilot.pause()
        assert screen.filter_bar.text == ""
        assert len(screen.marked_objects) == 9
        await pilot.press("escape")  # and then only says how to clear the marks
        await pilot.pause()
        assert len(screen.marked_objects) == 9
        assert any("c clears the marks" in n.message for n in notified(app))


async def test_deleting_an_object_of_unknown_size_says_unknown(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        uploading = next(o for o in screen.visible_objects if o.size_bytes is None)
        screen.select_object(uploading.id)
        await pilot.press("d")
        modal = await wait_screen(app, pilot, ConfirmModal)
        details = str(modal.query_one(".confirm-details", Static).content)
        assert "Size   unknown" in details
        assert "- (-)" not in details
