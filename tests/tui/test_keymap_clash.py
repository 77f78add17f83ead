"""A [keys] remap onto a key another binding holds: Textual takes the key from the other
binding (and reports no clash for bindings with ids); the app says so once, never in
silence (trial #6). The real app on the real local server."""

from __future__ import annotations

from runloop_tui.tui.screens.help import HelpScreen
from tests.notified import notified
from tests.tui.conftest import AppFactory, browsing


async def test_a_clashing_remap_is_reported_once(demo_app: AppFactory) -> None:
    app = demo_app(keymap={"app.help": "q"})  # q was app.quit's (ctrl+q still is)
    async with browsing(app) as (pilot, _):
        await pilot.pause()
        clashes = [n for n in notified(app) if n.title == "Key clash"]
        assert len(clashes) == 1, clashes  # said at start, before any key
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # the remap won, the app still runs
        await pilot.press("escape", "j", "k")
        await pilot.pause()
        clashes = [n for n in notified(app) if n.title == "Key clash"]
        assert len(clashes) == 1, clashes  # once, not on every key
        assert clashes[0].severity == "warning"
        assert "[keys] gave 'q' to another binding, so app.quit (Quit) lost it" in (
            clashes[0].message
        )


async def test_a_clash_inside_a_screen_is_reported(demo_app: AppFactory) -> None:
    app = demo_app(keymap={"browser.refresh": "s"})  # s was browser.sort's
    async with browsing(app) as (pilot, _):
        await pilot.pause()
        messages = [n.message for n in notified(app) if n.title == "Key clash"]
        assert any("'s'" in m and "browser.sort" in m for m in messages), messages


async def test_a_remap_onto_a_free_key_says_nothing(demo_app: AppFactory) -> None:
    app = demo_app(keymap={"app.help": "f2"})
    async with browsing(app) as (pilot, _):
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not [n for n in notified(app) if n.title == "Key clash"]
