"""The key bar: the screen's keys, greyed out when unavailable, whole keys only, clickable."""

from __future__ import annotations

from runloop_tui.tui.screens.help import HelpScreen
from runloop_tui.tui.widgets.key_bar import KeyBar

from .conftest import AppFactory, browsing


def bar_text(bar: KeyBar) -> str:
    return bar.render_line(0).text


async def test_shows_keys_in_order_with_the_palette_at_the_right(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (_, screen):
        bar = screen.query_one(KeyBar)
        text = bar_text(bar)
        assert text.startswith(" u Upload d Delete w Download p Preview / Filter space Mark ? Help")
        assert text.rstrip().endswith("│ ^p palette")
        assert len(text) == 120
        assert all(hint.enabled for hint in bar.hints)


async def test_narrow_bar_drops_whole_keys_and_keeps_the_palette(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(50, 24)) as (_, screen):
        bar = screen.query_one(KeyBar)
        text = bar_text(bar)
        assert len(text) == 50
        assert text.rstrip().endswith("^p palette")
        shown = [h for h in bar.hints if f"{h.display} {h.description}" in text]
        assert 0 < len(shown) < len(bar.hints)
        assert shown == bar.hints[: len(shown)]  # the first keys, in order, none cut in half


async def test_read_only_greys_out_the_write_keys(demo_app: AppFactory) -> None:
    app = demo_app(read_only=True)
    async with browsing(app) as (_, screen):
        hints = {h.description: h for h in screen.query_one(KeyBar).hints}
        assert not hints["Upload"].enabled
        assert not hints["Delete"].enabled
        assert hints["Filter"].enabled


async def test_remapped_keys_show_their_new_key(demo_app: AppFactory) -> None:
    app = demo_app(keymap={"browser.filter": "f"})
    async with browsing(app) as (_, screen):
        assert " f Filter" in bar_text(screen.query_one(KeyBar))


async def test_clicking_a_key_presses_it_and_a_greyed_key_does_nothing(
    demo_app: AppFactory,
) -> None:
    app = demo_app(read_only=True)
    async with browsing(app) as (pilot, screen):
        bar = screen.query_one(KeyBar)
        text = bar_text(bar)
        upload_x = text.index("u Upload")
        await pilot.click(KeyBar, offset=(upload_x, 0))
        await pilot.pause()
        assert app.screen is screen  # disabled: no upload modal
        help_x = text.index("? Help")
        await pilot.click(KeyBar, offset=(help_x + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
