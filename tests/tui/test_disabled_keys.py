"""Disabled keys say why: pressed, clicked in the key bar, or chosen in the palette."""

from __future__ import annotations

from pathlib import Path

from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.widgets.key_bar import KeyBar
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.notified import messages

from .conftest import NOW_MS, AppFactory, browsing, make_app, settle


async def test_disabled_keys_toast_the_reason_in_read_only_mode(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 3, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        app = make_app(server.base_url, read_only=True)
        async with browsing(app, notifications=True) as (pilot, screen):
            screen.mark_objects(ids[:1])
            for key in ("d", "u", "D"):
                before = len(messages(app))
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen
                assert messages(app)[before:] == [
                    "Read-only mode (--read-only or the profile's read_only): "
                    "nothing can be changed."
                ], key


async def test_disabled_keys_toast_the_reason_in_the_public_view(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, notifications=True) as (pilot, _):
        await pilot.press("v")
        screen = await settle(app, pilot)
        assert screen.is_public_view
        for key in ("d", "u"):
            before = len(messages(app))
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, (ConfirmModal, BulkDeleteModal))
            new = messages(app)[before:]
            assert len(new) == 1 and "public view" in new[0], key


async def test_clicking_a_dimmed_key_says_why(demo_app: AppFactory) -> None:
    app = demo_app(read_only=True)
    async with browsing(app, notifications=True) as (pilot, screen):
        bar = screen.query_one(KeyBar)
        x = bar.render_line(0).text.index("d Delete")
        await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert app.screen is screen
        assert any(m.startswith("Read-only mode") for m in messages(app))


async def test_enabled_keys_still_work_and_say_nothing(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, notifications=True) as (pilot, screen):
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert screen.unavailable_reason("delete") is None
        assert not messages(app)


async def test_read_only_cleanup_presets_do_not_offer_deleting(demo_app: AppFactory) -> None:
    from runloop_tui.tui.actions.commands import ViewCommands

    app = demo_app(read_only=True)
    async with browsing(app, notifications=True) as (pilot, screen):
        provider = ViewCommands(screen)
        (largest,) = [e for e in provider.entries() if e.title == "Cleanup: largest first"]
        provider._run(largest)
        await pilot.pause()
        assert messages(app)
        assert "delete the marked with D" not in messages(app)[-1]
        assert "read-only" in messages(app)[-1]


async def test_the_palette_says_why_an_action_is_greyed(demo_app: AppFactory) -> None:
    from runloop_tui.tui.commands import BrowserCommands

    app = demo_app(read_only=True)
    async with browsing(app) as (_, screen):
        provider = BrowserCommands(screen)
        helps = {str(hit.text): hit.help async for hit in provider.discover()}
        assert helps["Upload"] is not None and helps["Upload"].startswith("Read-only mode")
        assert helps["Filter"] is None
