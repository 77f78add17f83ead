"""The app lifts the start-up pause of the garbage collector (runloop_tui/startup.py) when
its first row shows, not by the safety timer; and by the timer when no row ever comes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from runloop_tui import startup
from runloop_tui.server.embedded import EmbeddedServer
from tests.tui.conftest import AppFactory, make_app, settle


@pytest.fixture
def paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    startup.pause_collector()
    yield
    startup.resume_collector()
    if not was_enabled:
        gc.disable()


async def test_the_first_row_resumes_collection(
    paused: None, demo_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("runloop_tui.tui.app.SAFETY_SECONDS", 3600.0)  # only the row can
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        assert startup.collector_paused()
        screen = await settle(app, pilot)
        assert screen.table.row_count > 0
        assert not startup.collector_paused() and gc.isenabled()


async def test_an_empty_account_resumes_by_the_timer(
    paused: None, server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("runloop_tui.tui.app.SAFETY_SECONDS", 0.2)
    app = make_app(server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await settle(app, pilot)
        assert screen.table.row_count == 0
        for _ in range(50):
            if not startup.collector_paused():
                break
            await pilot.pause(0.05)
        assert not startup.collector_paused() and gc.isenabled()
