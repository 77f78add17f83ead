"""The usage view (U): grouping what the filter shows, drilling, marks, delete and the jump back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import Input

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from runloop_tui.tui.screens.usage import UsageScreen, filter_for
from runloop_tui.tui.usage_model import UsageModel
from tests.notified import notified
from tests.tui.conftest import AppFactory, browsing, settle


def obj(name: str, size: int = 10) -> ObjectView:
    return ObjectView(
        id=f"obj_{name}",
        name=name,
        state=ObjectState.READ_ONLY,
        content_type=ContentType.TEXT,
        create_time_ms=1,
        size_bytes=size,
    )


def test_model_drills_goes_up_and_keeps_its_place_on_new_data() -> None:
    model = UsageModel([obj("a/b/1"), obj("a/b/2"), obj("a/c", 100), obj("top")])
    assert [e.prefix for e in model.entries] == ["a/", "top"]
    assert model.enter(model.entries[0])
    assert model.path == "a/"
    assert [e.prefix for e in model.entries] == ["a/c", "a/b/"]  # by size: c is 100 B
    assert model.marked_counts({"obj_a/b/1"}) == [0, 1]
    assert model.enter(model.entries[1]) and model.path == "a/b/"
    model.rebuild([obj("a/c"), obj("top")])  # a/b/ is gone: the view climbs to a/
    assert model.path == "a/"
    assert model.up() == "a/" and model.path == ""
    assert model.up() is None


def test_filter_for_adds_the_prefix_to_the_current_filter() -> None:
    assert filter_for("logs/", "") == "name:logs/"
    assert filter_for("logs/", "state:error") == "state:error name:logs/"
    assert filter_for("my dir/", "") == 'name:"my dir/"'
    assert filter_for("logs/", "name:logs/") == "name:logs/"


async def _open_usage(app: Any, pilot: Any) -> UsageScreen:
    await settle(app, pilot)
    await pilot.press("U")
    await pilot.pause()
    assert isinstance(app.screen, UsageScreen)
    return app.screen


async def test_u_groups_the_shown_objects_and_enter_drills_in(demo_app: AppFactory) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_usage(app, pilot)
        browser_objects = screen.host.model.visible_objects
        entries = screen.usage.entries
        assert sum(e.count for e in entries) == len(browser_objects)
        sizes = [e.size_bytes for e in entries]
        assert sizes == sorted(sizes, reverse=True)  # size, biggest first
        runs = screen.usage.row_of("agent-runs/")
        assert runs is not None
        screen.table.move_cursor(runs)
        await pilot.press("enter")
        assert screen.usage.path == "agent-runs/"
        assert all(e.prefix.startswith("agent-runs/") for e in screen.usage.entries)
        await pilot.press("s")  # count
        counts = [e.count for e in screen.usage.entries]
        assert counts == sorted(counts, reverse=True)
        await pilot.press("backspace")
        assert screen.usage.path == ""
        assert screen.table.current_entry is not None
        assert screen.table.current_entry.prefix == "agent-runs/"  # the cursor comes back


async def test_the_view_follows_the_filter(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, browser):
        browser.set_filter("state:uploading")
        screen = await _open_usage(app, pilot)
        assert {s for e in screen.usage.entries for s in e.states} == {"UPLOADING"}
        assert "filter: state:uploading" in str(screen.query_one("#usage-header").render())


async def test_marking_a_prefix_marks_what_the_filter_shows_and_d_opens_the_summary(
    demo_app: AppFactory,
) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, browser):
        browser.set_filter("-result")
        screen = await _open_usage(app, pilot)
        row = screen.usage.row_of("agent-runs/")
        assert row is not None
        screen.table.move_cursor(row)
        await pilot.press("space")
        marked = browser.model.marked_objects
        shown = [o for o in browser.model.visible_objects if o.name.startswith("agent-runs/")]
        assert {o.id for o in marked} == {o.id for o in shown}
        assert all("result" not in o.name for o in marked)  # hidden by the filter: not marked
        await pilot.press("D")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, BulkDeleteModal)
        assert len(modal.objects) == len(shown)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not modal and app.screen is screen
        assert len(browser.model.marks) == len(shown)  # backing out keeps the marks
        screen.table.move_cursor(row)
        await pilot.press("space")  # everything under it was marked: unmark
        assert not browser.model.marks


async def test_f_jumps_to_the_table_filtered_to_the_prefix(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, browser):
        screen = await _open_usage(app, pilot)
        row = screen.usage.row_of("logs/")
        assert row is not None
        screen.table.move_cursor(row)
        await pilot.press("f")
        await settle(app, pilot)
        assert app.screen is browser
        assert browser.filter_bar.query_one(Input).value == "name:logs/"
        assert browser.model.visible_objects
        assert all("logs/" in o.name for o in browser.model.visible_objects)


async def test_d_without_marks_says_why(demo_app: AppFactory) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_usage(app, pilot)
        await pilot.press("D")
        await pilot.pause()
        assert app.screen is screen
        assert any("Mark a prefix" in str(n.message) for n in notified(app))


class _Host:
    """A browser as far as the coverage line needs one: a real model and load state."""

    def __init__(self, objects: list[ObjectView], loading: bool, total: int | None) -> None:
        self.model = BrowserModel()
        self.model.ingest(objects, 0)
        self.generation = 0
        self.is_loading = loading
        self.total_count = total

    def now_ms(self) -> int:
        return 0

    def set_filter(self, text: str) -> None: ...

    def select_object(self, object_id: str) -> None: ...

    def mark_objects(self, ids: Iterable[str]) -> None: ...

    def clear_marks(self) -> None: ...

    def action_bulk_delete(self) -> None: ...


def test_the_view_says_when_it_covers_only_the_loaded_objects() -> None:
    objects = [obj("a/1"), obj("a/2")]
    assert UsageScreen(_Host(objects, loading=False, total=2))._coverage() == ""
    assert UsageScreen(_Host(objects, loading=True, total=None))._coverage() == (
        "Still loading: covers the 2 objects loaded so far."
    )
    assert UsageScreen(_Host(objects, loading=False, total=5))._coverage() == (
        "Covers only the 2 loaded of 5 objects."
    )
