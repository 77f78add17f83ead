"""Live refresh paces itself and waits for a bulk delete.

- An automatic refresh takes at most REFRESH_DUTY of the time: a listing that took 12 s is
  not repeated every minute (a million objects cost ~9 s of CPU per re-list).
- While a bulk delete runs, the timer's refresh is held: a re-list would compete with the
  deletes for the server and list rows that are about to go. It runs once the delete ends.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal, BulkDeleteProgressModal
from runloop_tui.tui.refresh_state import REFRESH_DUTY, RefreshState, adaptive_interval
from tests.conftest import API_KEY
from tests.support.fault_proxy import FaultProxy
from tests.tui.actions_helpers import wait_gone, wait_screen
from tests.tui.conftest import NOW_MS, browsing, drain, make_app


def test_the_interval_grows_with_the_list_and_with_what_a_listing_cost() -> None:
    assert [adaptive_interval(n) for n in (100, 5_000, 50_000, 1_000_000)] == [5, 15, 60, 300]
    # A listing that took 12 s: refreshed at most REFRESH_DUTY of the time.
    assert adaptive_interval(1_000, 12.0) == 12.0 / REFRESH_DUTY
    assert adaptive_interval(1_000, 0.05) == 5.0  # a quick listing keeps the tier
    state = RefreshState(last_listing_seconds=30.0)
    assert state.interval(1_000_000) == 600.0
    assert RefreshState(chosen_interval=7, last_listing_seconds=30.0).interval(10) == 7
    assert state.status(1_000_000)[1] == "live · every 10m"
    assert RefreshState(last_listing_seconds=4.5).status(100)[1] == "live · every 1m 30s"
    assert RefreshState(chosen_interval=0.5).status(1)[1] == "live · every 0.5s"


async def test_a_timer_refresh_waits_for_the_bulk_delete_to_end(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 200, now_ms=NOW_MS)
    marked = set(ids[:40])
    with (
        EmbeddedServer(data_dir, api_keys=[API_KEY]) as server,
        FaultProxy(server.base_url) as proxy,
    ):
        app = make_app(proxy.base_url)
        async with browsing(app) as (pilot, screen):
            assert screen.live.state.last_listing_seconds >= 0
            # Every delete's answer comes late: the bulk delete stays in flight a while.
            proxy.configure(
                match="/delete", delay_first=10_000, delay_seconds=0.3, delay_after_upstream=True
            )
            screen.mark_objects(marked)
            await pilot.press("D")
            confirm = await wait_screen(app, pilot, BulkDeleteModal)
            confirm.query_one("#count", Input).value = str(len(marked))
            await pilot.press("enter")
            await wait_screen(app, pilot, BulkDeleteProgressModal)
            assert screen._bulk_delete_running()
            screen.live._due()  # the refresh timer fires
            await pilot.pause()
            assert not screen.is_loading  # held, not started
            assert screen.live.timer is not None  # and checked again shortly
            lists_during = [e for e in proxy.log("/v1/objects") if e["method"] == "GET"]
            assert lists_during == []
            await wait_gone(app, pilot, BulkDeleteProgressModal, rounds=5000)
            assert not screen._bulk_delete_running()
            screen.live._due()  # the held refresh, once the delete is over
            await drain(app, pilot)
            assert [e for e in proxy.log("/v1/objects") if e["method"] == "GET"] != []
            assert {o.id for o in screen.visible_objects} == set(ids) - marked
