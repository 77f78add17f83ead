"""The bulk delete dialog says when the server is not answering: "retrying (1/3)…"."""

from __future__ import annotations

from textual.widgets import Label

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.retry import RetryPolicy
from runloop_tui.config import Settings
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.bulk_delete import BulkDeleteProgressModal
from tests.conftest import API_KEY
from tests.rawapi import list_objects, put_object
from tests.support.fault_proxy import FaultProxy
from tests.tui.conftest import browsing, fixed_clock


async def test_the_bulk_dialog_shows_the_retries(server: EmbeddedServer) -> None:
    for n in range(3):
        put_object(server.base_url, f"doomed-{n}.txt")
    with FaultProxy(server.base_url) as proxy:
        # The first two deletes get 503: the client backs off (0.5 s) and tries again.
        proxy.configure(match="/delete", method="POST", fail_first=2)
        policy = RetryPolicy(max_retries=3, timeout_seconds=5, initial_backoff_seconds=0.5)
        client = ObjectsClient(proxy.base_url, API_KEY, retry=policy)
        settings = Settings(base_url=proxy.base_url, api_key=API_KEY)
        app = RunloopApp(settings, client, clock=fixed_clock, live_refresh=False)
        async with browsing(app) as (pilot, _):
            await pilot.press("a", "D")
            await pilot.pause()
            await pilot.press(*"3", "enter")
            seen: list[str] = []
            for _ in range(200):
                await pilot.pause(0.02)
                if not isinstance(app.screen, BulkDeleteProgressModal):
                    if seen:
                        break
                    continue
                seen.append(str(app.screen.query_one("#status", Label).content))
            assert any("retrying (1/3)…" in text for text in seen), seen
            # Every object went in the end: the retries succeeded.
            assert not [o for o in list_objects(server.base_url) if o["state"] != "DELETED"]
