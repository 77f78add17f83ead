"""Loading, paging, views and modes of the browser, against the real local server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import events

from runloop_tui.api.client import ObjectsClient
from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.formatting import human_size
from runloop_tui.tui.widgets.object_table import ObjectTable
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.tui.conftest import NOW_MS, AppFactory, browser, browsing, make_app, quick_retry, settle


async def _server_total(base_url: str, public: bool = False) -> int:
    async with ObjectsClient(base_url, API_KEY, retry=quick_retry()) as api:
        page = await api.list_objects(limit=1, include_total_count=True, public=public)
    assert page.total_count is not None
    return page.total_count


async def test_loads_every_page_and_selects_a_late_object(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 2500, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        total = await _server_total(server.base_url)
        app = make_app(server.base_url, first_page_size=100, page_size=700)
        # Record the page sizes asked for (the client's one request funnel; still real HTTP).
        limits: list[str] = []
        real_json = app.client._json

        async def counting_json(method: str, path: str, **kwargs: Any) -> Any:
            if path == "/v1/objects":
                limits.append((kwargs.get("params") or {}).get("limit", ""))
            return await real_json(method, path, **kwargs)

        app.client._json = counting_json  # type: ignore[method-assign]
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            # The oldest object is on the last page: remembered, then selected when it arrives.
            browser(app).select_object(ids[-1])
            screen = await settle(app, pilot)
            assert limits == ["100", "700", "700", "700", "700"]
            assert total == 2500
            assert len(screen.model.index) == total
            assert len(screen.visible_objects) == total
            assert len({o.id for o in screen.visible_objects}) == total
            assert screen.selected_object is not None
            assert screen.selected_object.id == ids[-1]
            assert "2,500 objects" in screen.header.text
            assert not screen.is_loading


async def test_demo_store_shows_live_objects_with_counts(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (_, screen):
        shown = screen.visible_objects
        assert shown
        # Deleted objects never show; expired ones the server still lists do (as expired).
        assert all(str(o.state) != "DELETED" for o in shown)
        assert any(o.is_expired(NOW_MS) for o in shown)
        size = sum(o.size_bytes or 0 for o in shown)
        assert screen.model.shown_bytes == size
        header = screen.header.text
        assert f"{len(shown):,} shown" in header
        assert API_KEY not in header
        # Default order: newest first.
        created = [o.create_time_ms for o in shown]
        assert created == sorted(created, reverse=True)


async def test_public_view_is_read_only_and_lists_public_objects(
    demo_server: EmbeddedServer,
) -> None:
    public_total = await _server_total(demo_server.base_url, public=True)
    app = make_app(demo_server.base_url)
    async with browsing(app) as (pilot, screen):
        private_count = len(screen.visible_objects)
        assert not screen.is_read_only
        assert "read-only" not in screen.header.text
        await pilot.press("v")
        screen = await settle(app, pilot)
        assert screen.is_public_view
        assert screen.is_read_only
        assert "public objects" in screen.header.text
        assert "read-only" in screen.header.text
        assert 0 < len(screen.model.index) <= public_total
        assert len(screen.visible_objects) < private_count
        await pilot.press("v")
        screen = await settle(app, pilot)
        assert not screen.is_public_view
        assert len(screen.visible_objects) == private_count


async def test_marks_survive_the_public_view_toggle(demo_server: EmbeddedServer) -> None:
    # `v` is one missed shift away from `V` (visual marks): it must not lose a selection.
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("space", "space", "space")
        marked = set(screen.model.marks)
        assert len(marked) == 3
        size = human_size(sum(o.size_bytes or 0 for o in screen.marked_objects))
        assert f"marked 3 ({size})" in screen.header.text and size != human_size(0)
        await pilot.press("v")
        screen = await settle(app, pilot)
        assert screen.is_public_view
        assert {o.id for o in screen.marked_objects} == set()
        # The marks kept aside still count in the total (not "marked 3 (0 B)").
        assert f"marked 3 ({size})" in screen.header.text
        assert "3 not in this list" in screen.header.text
        assert screen.check_action("clear_marks", ()) is True  # c still clears them
        await pilot.press("v")
        screen = await settle(app, pilot)
        assert not screen.is_public_view
        assert {o.id for o in screen.marked_objects} == marked
        assert f"marked 3 ({size})" in screen.header.text
        assert "not in this list" not in screen.header.text
        await pilot.press("v", "c")
        screen = await settle(app, pilot)
        await pilot.press("v")
        screen = await settle(app, pilot)
        assert screen.model.marks == set() and "marked 0" in screen.header.text


async def test_read_only_mode_and_accent_in_header(demo_server: EmbeddedServer) -> None:
    app = make_app(demo_server.base_url, read_only=True, accent="error", profile="prod")
    async with browsing(app) as (_, screen):
        assert app.read_only
        assert screen.is_read_only
        assert "read-only" in screen.header.text
        assert "prod" in screen.header.text
        assert screen.header.query_one("#header-conn").has_class("accent-error")


async def test_narrow_terminal_drops_columns_and_toggles_detail(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        table = screen.query_one(ObjectTable)
        columns = table.visible_columns
        assert "id" not in columns
        assert {"mark", "name", "state", "size", "expires"} <= set(columns)
        body = screen.query_one("#browser-body")
        assert body.has_class("-detail-hidden")
        await pilot.press("i")
        await pilot.pause()
        assert not body.has_class("-detail-hidden")
        assert screen.detail.shown_object == screen.selected_object
        await pilot.press("i")
        await pilot.pause()
        assert body.has_class("-detail-hidden")
    wide = demo_app()
    async with browsing(wide, size=(160, 40)) as (pilot, screen):
        assert "id" in screen.query_one(ObjectTable).visible_columns
        assert not screen.query_one("#browser-body").has_class("-detail-hidden")


async def test_hostile_names_render_inert(server: EmbeddedServer, client: ObjectsClient) -> None:
    created = await client.create_object("[bold red]boom[/] $x", metadata={"[k]": "[v]"})
    app = make_app(server.base_url)
    async with browsing(app, size=(160, 30)) as (pilot, screen):
        # Our server refuses control characters; another service might not, so inject one.
        hostile = replace(created, name="[bold red]boom[/] \x1b[31mred\x1b[0m $x")
        screen.apply_local_changes(updated=[hostile])
        screen.select_object(created.id)
        await pilot.pause()
        table = screen.query_one(ObjectTable)
        line = table.render_line(1 + table.cursor_row - round(table.scroll_y)).text
        assert "[bold red]boom[/]" in line
        assert "\x1b" not in line
        assert "\N{REPLACEMENT CHARACTER}[31mred" in line
        detail = str(screen.detail.query_one("#detail-body").content)  # type: ignore[attr-defined]
        assert "[bold red]boom[/]" in detail
        assert "[k]" in detail
        assert created.upload_url
        assert created.upload_url not in detail
        assert "http" not in detail


async def test_cursor_keys_and_mouse(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        table = screen.query_one(ObjectTable)
        shown = screen.visible_objects
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert screen.selected_object == shown[2]
        await pilot.press("end")
        assert table.cursor_row == len(shown) - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert table.cursor_row > 10
        await pilot.press("home")
        # Click the fifth data row (the header is line 0).
        await pilot.click(ObjectTable, offset=(10, 5))
        await pilot.pause()
        assert table.cursor_row == 4
        assert screen.detail.shown_object == shown[4]
        # Click the mark column: toggles the mark of that row.
        await pilot.click(ObjectTable, offset=(0, 2))
        await pilot.pause()
        assert [o.id for o in screen.marked_objects] == [shown[1].id]
        # The wheel scrolls (Pilot has no public scroll helper; this is what click uses).
        await pilot._post_mouse_events([events.MouseScrollDown], ObjectTable, (10, 5), times=3)
        await pilot.pause()
        assert table.scroll_y > 0
