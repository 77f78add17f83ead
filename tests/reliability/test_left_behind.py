"""An upload cut off by a server outage must not leave its object UPLOADING (trial #3).

A real `python -m runloop_tui.server` child is killed -9 mid-upload and stays down while
the upload fails and its clean-up delete fails too; the transfers panel says the object was
left behind. Once the server is back on the same port (same data), the app removes it by
itself and says so. Also: a quit while the server is away still tries once more, bounded.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from runloop_tui.api import ContentType, RetryPolicy
from runloop_tui.tui.modals.upload import UploadRequest
from runloop_tui.tui.widgets.transfers import TransferState
from tests.rawapi import list_objects
from tests.reliability.procs import ServerProcess
from tests.reliability.test_tui_faults import _kill_on_first_bytes
from tests.reliability.tuihelp import all_notified, assert_alive, build_app, screen_lines
from tests.tui.conftest import browsing

pytestmark = pytest.mark.slow

# Gives up quickly while the server is down, so the clean-up delete fails too.
QUICK = RetryPolicy(
    max_retries=1, timeout_seconds=5, connect_timeout_seconds=2, initial_backoff_seconds=0.01
)
# The sweep's first waits are 2 s and 4 s: this leaves room for a loaded machine.
SWEEP_WAIT_SECONDS = 30.0


def _uploading(base_url: str) -> list[str]:
    return [str(o["id"]) for o in list_objects(base_url, state="UPLOADING", limit=5000)]


async def test_an_upload_cut_off_by_an_outage_is_removed_when_the_server_is_back(
    server_process: ServerProcess, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(16 * 1024 * 1024))
    app = build_app(server_process.base_url, QUICK)
    request = UploadRequest(path=source, name="big.bin", content_type=ContentType.BINARY)
    async with browsing(app, (80, 24), notifications=True) as (pilot, screen):
        _kill_on_first_bytes(screen.transfers_panel, server_process)
        await screen.transfers.run_upload(request).wait()
        await pilot.pause()
        transfer = screen.transfers_panel.transfers[-1]
        assert transfer.state is TransferState.FAILED
        object_id = transfer.object_id
        assert object_id is not None and object_id in app.client.left_behind
        assert transfer.left_behind == "left"
        assert any("left UPLOADING" in n for n in all_notified(app))
        app.clear_notifications()  # the toasts sit over the panel
        await pilot.pause()
        # The row says it, on one line at 80 columns (cut, not wrapped under the arrow).
        lines = screen_lines(app)
        row = [i for i, line in enumerate(lines) if "big.bin" in line and "✗ failed" in line]
        assert len(row) == 1
        assert f"{object_id} left UPLOADING; removing" in lines[row[0]]
        assert "Network" not in lines[row[0] + 1]

        server_process.start()  # back on the same port, with the same data
        assert _uploading(server_process.base_url) == [object_id]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SWEEP_WAIT_SECONDS
        while app.client.left_behind and loop.time() < deadline:
            await pilot.pause(0.2)
        assert not app.client.left_behind
        await pilot.pause()
        assert _uploading(server_process.base_url) == []
        assert transfer.left_behind == "removed"
        assert any(f"Removed {object_id}" in n for n in all_notified(app))
        app.clear_notifications()
        await pilot.pause()
        assert any(f"{object_id} left UPLOADING, now removed" in x for x in screen_lines(app))
        assert_alive(app)


async def test_a_quit_tries_once_more_to_remove_what_was_left_behind(
    server_process: ServerProcess, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(16 * 1024 * 1024))
    app = build_app(server_process.base_url, QUICK)
    request = UploadRequest(path=source, name="big.bin", content_type=ContentType.BINARY)
    async with browsing(app, (120, 30)) as (pilot, screen):
        _kill_on_first_bytes(screen.transfers_panel, server_process)
        await screen.transfers.run_upload(request).wait()
        await pilot.pause()
        object_id = screen.transfers_panel.transfers[-1].object_id
        assert object_id is not None and object_id in app.client.left_behind
        server_process.start()
        # The sweep has not come round yet (its first wait is 2 s); the quit does it now.
        await app.shutdown()
    assert _uploading(server_process.base_url) == []
