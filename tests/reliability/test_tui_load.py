"""The TUI under load: 50 concurrent uploads from its own workers, while it re-lists and
deletes other objects, against a real server process. Nothing is lost, and the event loop
keeps turning: a ticker task records the longest stall, which is printed.

The only timing assertion is a very generous sanity bound (2 s): a stall that long means
the UI froze outright, whatever the machine.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from runloop_tui.api import ContentType, ObjectsClient, ObjectState, RetryPolicy
from runloop_tui.tui.modals.upload import UploadRequest
from runloop_tui.tui.widgets.transfers import TransferState
from tests.conftest import API_KEY
from tests.notified import notified
from tests.reliability.procs import ServerProcess
from tests.reliability.tuihelp import assert_alive, build_app, drain
from tests.tui.conftest import browsing

pytestmark = pytest.mark.slow

UPLOADS = 50
DELETES = 30
SANITY_STALL_SECONDS = 2.0
TICK_SECONDS = 0.005
MAX_TICKS = 200_000  # bounded even if the test hangs
POLICY = RetryPolicy(max_retries=2, timeout_seconds=30, initial_backoff_seconds=0.05)


async def test_ui_stays_responsive_under_upload_list_delete_load(
    server_process: ServerProcess, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("delete me")
    async with ObjectsClient(server_process.base_url, API_KEY, retry=POLICY) as api:
        victims = [
            await api.upload_path(victim, name=f"victim-{i:02d}.txt") for i in range(DELETES)
        ]
    files = []
    for i in range(UPLOADS):
        path = tmp_path / f"load-{i:02d}.bin"
        path.write_bytes(os.urandom(2048 + i))
        files.append(path)

    app = build_app(server_process.base_url, POLICY)
    async with browsing(app, notifications=True) as (pilot, screen):
        assert len(screen.visible_objects) == DELETES

        longest = 0.0
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal longest, ticks
            while not stop.is_set() and ticks < MAX_TICKS:
                before = time.perf_counter()
                await asyncio.sleep(TICK_SECONDS)
                longest = max(longest, time.perf_counter() - before - TICK_SECONDS)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        for path in files:
            screen.transfers.run_upload(
                UploadRequest(path=path, name=path.name, content_type=ContentType.BINARY)
            )
        for obj in victims:
            screen.deletes.run_delete(obj)
        for _ in range(3):
            screen.refresh_now()
            await pilot.press("down")  # keys keep being handled meanwhile
        await drain(app, pilot)
        screen.refresh_now()
        await drain(app, pilot)
        elapsed = time.perf_counter() - started
        stop.set()
        await ticking
        assert_alive(app)

        transfers = screen.transfers_panel.transfers
        print(
            f"\nTUI load: {UPLOADS} uploads + {DELETES} deletes + re-lists in {elapsed:.2f}s; "
            f"longest event-loop stall {longest * 1000:.0f} ms over {ticks} ticks"
        )
        assert [t.state for t in transfers].count(TransferState.DONE) == UPLOADS
        errors = [n.message for n in notified(app) if n.severity == "error"]
        assert errors == []
        shown = {o.name: o for o in screen.visible_objects}
        assert sorted(shown) == sorted(p.name for p in files)
        for path in files:
            assert shown[path.name].state is ObjectState.READ_ONLY
            assert shown[path.name].size_bytes == path.stat().st_size
        assert ticks > 10
        assert longest < SANITY_STALL_SECONDS, f"the UI froze for {longest:.2f}s"
    async with ObjectsClient(server_process.base_url, API_KEY, retry=POLICY) as api:
        for obj in victims:
            assert (await api.get_object(obj.id)).state is ObjectState.DELETED
