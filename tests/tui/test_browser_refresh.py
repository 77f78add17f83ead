"""Live refresh, outages and recovery, help, the command palette and the keymap."""

from __future__ import annotations

import socket
from pathlib import Path

from textual.command import CommandPalette

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.errors import ApiError
from runloop_tui.api.models import ObjectState
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.listing import LoadFailed, LoadFinished, PageLoaded
from runloop_tui.tui.screens.help import HelpScreen
from runloop_tui.tui.widgets.object_table import ObjectTable
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.notified import notified
from tests.tui.actions_helpers import wait_screen
from tests.tui.conftest import AppFactory, browser, browsing, make_app, settle


async def _put(client: ObjectsClient, name: str, complete: bool = True) -> str:
    obj = await client.create_object(name)
    if complete:
        await client.complete_object(obj.id)
    return obj.id


async def test_refresh_keeps_cursor_marks_and_scroll(
    server: EmbeddedServer, client: ObjectsClient
) -> None:
    ids = [await _put(client, f"file-{n:02d}.txt") for n in range(30)]
    pending = await _put(client, "pending.bin", complete=False)
    app = make_app(server.base_url)
    async with browsing(app, size=(120, 20)) as (pilot, screen):
        table = screen.query_one(ObjectTable)
        assert len(screen.visible_objects) == 31
        await pilot.press("end")
        scroll = table.scroll_y
        assert scroll > 0
        # Cursor on the 25th newest object; mark two objects, one of which goes away.
        target = screen.visible_objects[24].id
        screen.select_object(target)
        doomed = ids[5]
        screen.mark_objects([doomed, ids[6]])
        generation = screen.generation
        await client.delete_object(doomed)
        await client.complete_object(pending)
        added = await _put(client, "zz-new.txt")
        screen.refresh_now()
        screen = await settle(app, pilot)
        assert screen.generation == generation + 1
        shown = {o.id for o in screen.visible_objects}
        assert added in shown
        assert doomed not in shown
        assert screen.selected_object is not None
        assert screen.selected_object.id == target
        assert [o.id for o in screen.marked_objects] == [ids[6]]
        assert screen.model.get(pending) is not None
        assert screen.model.get(pending).state is ObjectState.READ_ONLY  # type: ignore[union-attr]
        # The row whose state changed is highlighted for a moment.
        assert pending in table._flash
        assert table.scroll_y == scroll
        # The app runs with live refresh off: a refresh by hand says so, not "refreshing…".
        assert screen.header.refresh_text == "live refresh off"


async def test_refresh_moves_cursor_to_nearest_row_when_its_object_vanishes(
    server: EmbeddedServer, client: ObjectsClient
) -> None:
    for n in range(5):
        await _put(client, f"f{n}")
    app = make_app(server.base_url)
    async with browsing(app, size=(120, 30)) as (pilot, screen):
        await pilot.press("j", "j")
        gone = screen.selected_object
        assert gone is not None
        await client.delete_object(gone.id)
        screen.refresh_now()
        screen = await settle(app, pilot)
        assert screen.query_one(ObjectTable).cursor_row == 2
        assert screen.selected_object is not None
        assert screen.selected_object.id != gone.id


async def test_apply_local_changes(server: EmbeddedServer, client: ObjectsClient) -> None:
    first = await _put(client, "a.txt")
    second = await _put(client, "b.txt")
    app = make_app(server.base_url)
    async with browsing(app, size=(120, 30)) as (pilot, screen):
        screen.mark_objects([first, second])
        created = await client.create_object("c.txt")
        screen.apply_local_changes(updated=[created], removed_ids=[first])
        await pilot.pause()
        shown = [o.id for o in screen.visible_objects]
        assert shown[0] == created.id
        assert first not in shown
        assert [o.id for o in screen.marked_objects] == [second]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_server_stops_and_comes_back(data_dir: Path) -> None:
    port = _free_port()
    first = EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY], port=port)
    first.start()
    try:
        async with ObjectsClient(first.base_url, API_KEY) as api:
            for n in range(3):
                await _put(api, f"keep-{n}")
        app = make_app(first.base_url)
        async with browsing(app, size=(120, 30), notifications=True) as (pilot, screen):
            assert len(screen.visible_objects) == 3
            first.stop()
            for _ in range(2):  # two failing refreshes: one outage, one notification
                screen.refresh_now()
                screen = await settle(app, pilot)
            header = screen.header.text
            assert "error: cannot reach server" in header
            assert "stale" in header
            assert screen.query_one(ObjectTable)._stale
            assert len(screen.visible_objects) == 3  # the last good rows stay
            errors = [n for n in notified(app) if n.severity == "error"]
            assert len(errors) == 1
            second = EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY], port=port)
            second.start()
            try:
                screen.refresh_now()
                screen = await settle(app, pilot)
                assert "error" not in screen.header.refresh_text
                assert "stale" not in screen.header.text
                assert not screen.query_one(ObjectTable)._stale
                assert len(screen.visible_objects) == 3
            finally:
                second.stop()
    finally:
        first.stop()


async def test_help_lists_bindings_and_filter_syntax_and_searches(demo_app: AppFactory) -> None:
    app = demo_app(keymap={"browser.refresh": "f5"})
    async with browsing(app) as (pilot, screen):
        await pilot.press("question_mark")
        help_screen = await wait_screen(app, pilot, HelpScreen)
        ids = {row.binding_id for row in help_screen.rows}
        assert {"browser.filter", "browser.refresh", "browser.pause", "app.quit"} <= ids
        refresh = next(r for r in help_screen.rows if r.binding_id == "browser.refresh")
        assert refresh.keys == "f5"  # the remap shows
        syntax = [r for r in help_screen.rows if r.section == "Filter syntax"]
        assert any("state:error" in r.keys for r in syntax)
        await pilot.press(*list("pause"))
        await pilot.pause()
        shown = help_screen.shown_text
        assert "Pause live" in shown
        assert "Filter syntax" not in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        # The remapped key works, the old one does not.
        generation = screen.generation
        await pilot.press("r")
        await settle(app, pilot)
        assert screen.generation == generation
        await pilot.press("f5")
        await settle(app, pilot)
        assert screen.generation == generation + 1


async def test_command_palette_runs_screen_actions(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*list("pause live"))
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert browser(app) is screen
        assert "paused" in screen.header.refresh_text
        await pilot.press("P")
        await settle(app, pilot)
        assert "paused" not in screen.header.refresh_text


async def test_quit_closes_the_client(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, _):
        await pilot.press("q")
        await pilot.pause()
    assert app._client_closed
    assert not app.is_running


async def test_messages_of_a_replaced_listing_change_nothing(
    server: EmbeddedServer, client: ObjectsClient
) -> None:
    """A listing that a newer one replaced (refresh pressed while loading) may still have
    messages queued: they are ignored, so its rows never replace the newer listing's."""
    kept = [await _put(client, f"kept-{n}.txt") for n in range(3)]
    app = make_app(server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await settle(app, pilot)
        assert {o.id for o in screen.visible_objects} == set(kept)
        old = screen.listing.number - 1
        stale = BrowserModel()  # what an older listing staged: nothing at all
        screen.post_message(PageLoaded(old, 0))
        screen.post_message(LoadFailed(old, ApiError("gone away")))
        screen.post_message(LoadFinished(old, stale))
        await settle(app, pilot)
        assert {o.id for o in screen.visible_objects} == set(kept)
        assert "cannot list" not in screen.header.text
        assert not screen.refresh_state.error_text
        # The current listing's own end still applies.
        current = screen.listing.number
        screen.post_message(LoadFinished(current, stale))
        await settle(app, pilot)
        assert screen.visible_objects == []
