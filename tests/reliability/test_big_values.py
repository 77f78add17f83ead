"""A server's huge values (5,000 metadata keys, a 1 MB value, a 5,000 character name; a real
process on loopback) show as a bounded amount in the detail pane, so keys keep working."""

from __future__ import annotations

from textual.widgets import Static

from runloop_tui.tui.widgets.detail_pane import MAX_METADATA_KEYS_SHOWN, DetailPane
from tests.reliability.test_odd_listing import _app
from tests.reliability.tuihelp import assert_alive, screen_lines
from tests.support.odd_proc import OddServer
from tests.tui.conftest import browsing


def _pane_text(pane: DetailPane) -> str:
    return str(pane.query_one("#detail-body", Static).content)


async def test_huge_metadata_shows_the_first_keys_and_cut_values() -> None:
    with OddServer("huge") as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(120, 36)) as (pilot, screen):
            screen.select_object("obj_huge")
            await pilot.pause()
            text = _pane_text(screen.detail)
            # The first keys in order ("big", then k0000...), then how many more: never all
            # 5,001 of them.
            assert "big" in text and f"k{MAX_METADATA_KEYS_SHOWN - 2:04d}" in text
            assert f"k{MAX_METADATA_KEYS_SHOWN - 1:04d}" not in text
            assert f"… and {5001 - MAX_METADATA_KEYS_SHOWN:,} more keys" in text
            # The megabyte value is cut, and says how much was left out.
            assert "B" * 300 + "… (999,700 more characters)" in text
            assert len(text) < 30_000
            assert any("big" in line for line in screen_lines(app))
            assert_alive(app)


async def test_a_long_name_is_cut_in_the_pane() -> None:
    with OddServer("huge") as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(120, 36)) as (pilot, screen):
            screen.select_object("obj_long")
            await pilot.pause()
            text = _pane_text(screen.detail)
            assert "n" * 1100 + "… (3,900 more characters)" in text
            assert "n" * 1101 not in text
            assert_alive(app)


async def test_a_long_name_is_cut_in_dialog_titles() -> None:
    from textual.widgets import Label

    from runloop_tui.tui.modals.download import DownloadModal
    from runloop_tui.tui.modals.presign import PresignModal
    from tests.tui.actions_helpers import wait_screen

    with OddServer("huge") as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(120, 36)) as (pilot, screen):
            screen.select_object("obj_long")
            await pilot.pause()
            for key, dialog in (("y", PresignModal), ("w", DownloadModal)):
                await pilot.press(key)
                modal = await wait_screen(app, pilot, dialog)
                title = str(modal.query_one(".title", Label).content)
                assert "n" * 200 + "…" in title and "n" * 201 not in title, key
                await pilot.press("escape")
                await pilot.pause()
            assert_alive(app)
