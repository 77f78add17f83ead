"""The bulk delete summary lists the marked names in the table's order (hidden ones first)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from tests.conftest import API_KEY
from tests.tui.actions_helpers import wait_screen
from tests.tui.conftest import NOW_MS, browsing, make_app


async def test_the_summary_names_follow_the_tables_sort(data_dir: Path) -> None:
    seed_bulk(data_dir, API_KEY, 40, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY]) as server:
        app = make_app(server.base_url)
        async with browsing(app, size=(120, 36)) as (pilot, screen):
            screen.set_sort("name", True)  # descending: not the order of ids
            await pilot.pause()
            table_order = [o.name for o in screen.visible_objects]
            assert table_order == sorted(table_order, reverse=True)
            await pilot.press("a", "D")
            modal = await wait_screen(app, pilot, BulkDeleteModal)
            names = str(modal.query_one("#names Static", Static).content).splitlines()
            shown = [line.removeprefix("• ") for line in names if line.startswith("• ")]
            assert shown == table_order[: len(shown)] and len(shown) == 10
