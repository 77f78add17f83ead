"""The TUI against a server that is killed -9, refuses, fails, rate-limits or answers late.

In every case the app stays up, says what happened in plain words (header and
notifications), retries with backoff and recovers when the server is back; a failed
download leaves no file and a failed upload leaves no UPLOADING object. Real processes on
loopback (a `python -m runloop_tui.server` child and the fault proxy); no sleeps on the app.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from runloop_tui.api import ContentType, ObjectsClient, RetryPolicy
from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.modals.upload import UploadRequest
from runloop_tui.tui.widgets.transfers import TransfersPanel, TransferState
from tests.conftest import API_KEY
from tests.rawapi import list_objects
from tests.reliability.conftest import PATIENT, Restarter
from tests.reliability.procs import ServerProcess
from tests.reliability.tuihelp import (
    Watch,
    all_notified,
    assert_alive,
    build_app,
    drain,
    errors_notified,
)
from tests.support.fault_proxy import FaultProxy
from tests.tui.conftest import browsing

pytestmark = pytest.mark.slow

QUICK = RetryPolicy(max_retries=1, timeout_seconds=5, initial_backoff_seconds=0.01)
SIZE = (120, 30)


def _state_count(base_url: str, state: str) -> int:
    return len(list_objects(base_url, state=state, limit=5000))


async def _seed(base_url: str, tmp_path: Path, count: int) -> list[str]:
    source = tmp_path / "seed.txt"
    source.write_text("seed")
    async with ObjectsClient(base_url, API_KEY, retry=QUICK) as api:
        return [(await api.upload_path(source, name=f"seed-{i}.txt")).id for i in range(count)]


# --- the server process dies or is not there ---


async def test_refused_at_start_shows_it_and_recovers(
    server_process: ServerProcess, restart_when: Restarter, tmp_path: Path
) -> None:
    ids = await _seed(server_process.base_url, tmp_path, 3)
    server_process.kill()
    refused = threading.Event()
    restart_when(refused)
    watch = Watch(then=lambda e: refused.set())
    app = build_app(server_process.base_url, PATIENT, watch)
    # the load retries until the restarted server answers
    async with browsing(app, SIZE, notifications=True) as (_, screen):
        assert_alive(app)
        assert {o.id for o in screen.visible_objects} == set(ids)
        assert watch.events and all(e.reason == "connection failed" for e in watch.events)
        # While it retried, the header said so in plain words.
        assert any("cannot reach server" in h and "retrying" in h for h in watch.headers)
        assert "error" not in screen.header.refresh_text
        assert errors_notified(app) == []  # the client's retries covered it: no alarm


async def test_retries_exhausted_backs_off_then_reconnects(
    server_process: ServerProcess, tmp_path: Path
) -> None:
    ids = await _seed(server_process.base_url, tmp_path, 2)
    server_process.kill()
    app = build_app(server_process.base_url, QUICK)
    async with browsing(app, SIZE, notifications=True) as (pilot, screen):
        assert "error: cannot reach server — retrying in 2s" in screen.header.refresh_text
        errors = errors_notified(app)
        assert len(errors) == 1 and "Cannot list objects" in errors[0]
        assert "Network error" in errors[0]
        # The scheduled retry (what the timer runs) fails again: the wait doubles and the
        # user is not notified twice for one outage.
        screen.refresh_now()
        await drain(app, pilot)
        assert "retrying in 4s" in screen.header.refresh_text
        assert len(errors_notified(app)) == 1
        server_process.start()
        screen.refresh_now()
        await drain(app, pilot)
        assert_alive(app)
        assert {o.id for o in screen.visible_objects} == set(ids)
        assert "error" not in screen.header.refresh_text
        assert any("Reconnected" in n for n in all_notified(app))


async def test_killed_mid_list_recovers_every_row(
    server_process: ServerProcess, restart_when: Restarter
) -> None:
    server_process.stop()
    ids = seed_bulk(server_process.data_dir, API_KEY, 1200)
    server_process.start()
    came_back = threading.Event()
    restart_when(came_back)
    watch = Watch(then=lambda e: came_back.set())
    app = build_app(server_process.base_url, PATIENT, watch, page_size=300, first_page_size=100)
    calls = 0
    original = app.client._json  # every API call goes through it

    async def list_then_kill(method: str, path: str, **kwargs: Any) -> Any:
        nonlocal calls
        data = await original(method, path, **kwargs)
        if path == "/v1/objects":
            calls += 1
            if calls == 2:
                server_process.kill()  # two pages in: the next page meets a dead server
        return data

    app.client._json = list_then_kill  # type: ignore[method-assign]
    async with browsing(app, SIZE, notifications=True) as (_, screen):
        assert_alive(app)
        assert watch.events, "the kill did not land mid-list"
        assert len(screen.visible_objects) == len(ids)
        assert {o.id for o in screen.visible_objects} == set(ids)
        assert any("cannot reach server" in h for h in watch.headers)
        assert "error" not in screen.header.refresh_text


def _kill_on_first_bytes(panel: TransfersPanel, server: ServerProcess) -> None:
    original = panel.progress_callback
    killed: list[bool] = []  # once: the retry after the restart must go through

    def hooked(transfer: Any) -> Any:
        report = original(transfer)

        def progress(done: int, total: int | None) -> None:
            report(done, total)
            if done > 0 and server.running and not killed:
                killed.append(True)
                server.kill()

        return progress

    panel.progress_callback = hooked  # type: ignore[method-assign]


async def test_killed_mid_upload_fails_plainly_and_leaves_nothing_uploading(
    server_process: ServerProcess, restart_when: Restarter, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(16 * 1024 * 1024))
    came_back = threading.Event()
    restart_when(came_back)
    watch = Watch(then=lambda e: came_back.set())
    app = build_app(server_process.base_url, PATIENT, watch)
    request = UploadRequest(path=source, name="big.bin", content_type=ContentType.BINARY)
    async with browsing(app, SIZE, notifications=True) as (pilot, screen):
        _kill_on_first_bytes(screen.transfers_panel, server_process)
        screen.transfers.run_upload(request)
        await drain(app, pilot)
        assert_alive(app)
        transfer = screen.transfers_panel.transfers[-1]
        assert transfer.state is TransferState.FAILED
        assert "Network error" in (transfer.error or "")
        assert any("Upload failed" in e and "Network error" in e for e in errors_notified(app))
        # The half-made object was deleted once the server was back (the cleanup retried).
        assert server_process.running
        assert _state_count(server_process.base_url, "UPLOADING") == 0
        # ...and the same upload through the UI now works.
        screen.transfers.run_upload(request)
        await drain(app, pilot)
        assert screen.transfers_panel.transfers[-1].state is TransferState.DONE
        assert [o.name for o in screen.visible_objects] == ["big.bin"]
        assert _state_count(server_process.base_url, "READ_ONLY") == 1


async def test_killed_mid_download_fails_plainly_and_leaves_no_file(
    server_process: ServerProcess, tmp_path: Path
) -> None:
    data = os.urandom(24 * 1024 * 1024)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    async with ObjectsClient(server_process.base_url, API_KEY, retry=QUICK) as api:
        obj = await api.upload_path(source)
    out = tmp_path / "out"
    out.mkdir()
    app = build_app(server_process.base_url, QUICK)
    async with browsing(app, SIZE, notifications=True) as (pilot, screen):
        _kill_on_first_bytes(screen.transfers_panel, server_process)
        screen.transfers.run_download(obj, out / "big.bin", False)
        await drain(app, pilot)
        assert_alive(app)
        transfer = screen.transfers_panel.transfers[-1]
        assert transfer.state is TransferState.FAILED and "Network error" in (transfer.error or "")
        assert any("Download failed" in e for e in errors_notified(app))
        assert list(out.iterdir()) == []  # no partial file, hidden or not
        server_process.start()
        screen.transfers.run_download(obj, out / "big.bin", False)
        await drain(app, pilot)
        assert screen.transfers_panel.transfers[-1].state is TransferState.DONE
        assert [p.name for p in out.iterdir()] == ["big.bin"]
        assert (out / "big.bin").read_bytes() == data


# --- a misbehaving server, through the fault proxy ---


async def _run_listing(
    server: EmbeddedServer, tmp_path: Path, policy: RetryPolicy, **faults: Any
) -> Watch:
    """Seed 3 objects, list them through a proxy with ``faults`` on GET /v1/objects; check
    that all 3 ended up shown with no error anywhere, and return what the retries looked like.
    """
    await _seed(server.base_url, tmp_path, 3)
    watch = Watch()
    with FaultProxy(server.base_url) as proxy:
        proxy.configure(match="/v1/objects", method="GET", **faults)
        app = build_app(proxy.base_url, policy, watch)
        async with browsing(app, SIZE, notifications=True) as (_, screen):
            assert_alive(app)
            shown = len(screen.visible_objects)
            header = screen.header.refresh_text
            errors = errors_notified(app)
    assert shown == 3 and errors == [] and "error" not in header
    return watch


FAST_MANY = RetryPolicy(max_retries=5, timeout_seconds=5, initial_backoff_seconds=0.02)


async def test_503_for_a_while_is_retried_and_recovers(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    watch = await _run_listing(
        server,
        tmp_path,
        FAST_MANY,
        fail_first=3,
        fail_status=503,
    )
    # (the metadata-keys call shares the first failures with the list)
    assert [e.reason for e in watch.events] == ["HTTP 503"] * 3
    assert any("HTTP 503" in h and "retrying" in h for h in watch.headers)


async def test_500_beyond_the_retries_says_so_then_recovers(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    await _seed(server.base_url, tmp_path, 3)
    with FaultProxy(server.base_url) as proxy:
        proxy.configure(
            match="/v1/objects",
            method="GET",
            fail_first=100,
            fail_status=500,
            fail_body='{"error": {"code": "internal", "message": "database on fire"}}',
        )
        app = build_app(proxy.base_url, QUICK)
        async with browsing(app, SIZE, notifications=True) as (pilot, screen):
            assert_alive(app)
            header = screen.header.refresh_text
            assert "HTTP 500" in header and "database on fire" in header and "retrying" in header
            errors = errors_notified(app)
            assert len(errors) == 1
            assert "HTTP 500" in errors[0] and "Server error" in errors[0]
            assert "database on fire" in errors[0]
            proxy.configure()  # the server is healthy again
            screen.refresh_now()
            await drain(app, pilot)
            assert len(screen.visible_objects) == 3
            assert "error" not in screen.header.refresh_text
            assert any("Reconnected" in n for n in all_notified(app))


async def test_429_with_retry_after_waits_as_asked(server: EmbeddedServer, tmp_path: Path) -> None:
    watch = await _run_listing(
        server,
        tmp_path,
        FAST_MANY,
        fail_first=2,
        fail_status=429,
        fail_headers={"Retry-After": "0.25"},
    )
    rate_limited = [e for e in watch.events if e.reason == "HTTP 429"]
    assert [e.delay_seconds for e in rate_limited] == [0.25, 0.25]
    assert any("HTTP 429" in h for h in watch.headers)


@pytest.mark.parametrize(
    ("client_timeout", "late", "delay", "reasons"),
    [
        # '5 s late' made cheap: late means beyond the (lowered) client timeout.
        pytest.param(0.3, 2, 1.0, ["timed out", "timed out"], id="beyond_the_timeout_is_retried"),
        pytest.param(3.0, 1, 0.5, [], id="within_the_timeout_just_works"),
    ],
)
async def test_a_late_answer(
    server: EmbeddedServer,
    tmp_path: Path,
    client_timeout: float,
    late: int,
    delay: float,
    reasons: list[str],
) -> None:
    """The first ``late`` answers come ``delay`` seconds late, against ``client_timeout``."""
    policy = RetryPolicy(
        max_retries=3, timeout_seconds=client_timeout, initial_backoff_seconds=0.01
    )
    watch = await _run_listing(server, tmp_path, policy, delay_first=late, delay_seconds=delay)
    assert [e.reason for e in watch.events][:2] == reasons
    if reasons:
        assert any("timed out" in h for h in watch.headers)
    else:
        assert watch.headers == []


async def test_markup_in_a_server_error_is_shown_inert(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    """A hostile (or just odd) server message must not be read as Textual markup."""
    message = "[bold]x[/] [@click=app.quit]q[/] [/oops] [link=http://e.invalid]l[/link]"
    body = '{"error": {"code": "x", "message": "' + message.replace('"', '\\"') + '"}}'
    await _seed(server.base_url, tmp_path, 1)
    with FaultProxy(server.base_url) as proxy:
        proxy.configure(
            match="/v1/objects", method="GET", fail_first=100, fail_status=500, fail_body=body
        )
        app = build_app(proxy.base_url, QUICK)
        async with browsing(app, SIZE, notifications=True) as (pilot, screen):
            assert_alive(app)
            assert message in screen.header.refresh_text
            assert any(message in e for e in errors_notified(app))
            app.export_screenshot()  # renders the toast too
            await pilot.pause()
            assert_alive(app)


async def test_complete_failing_beyond_retries_leaves_nothing_uploading(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("hello")
    with FaultProxy(server.base_url) as proxy:
        proxy.configure(match="/complete", fail_first=100, fail_status=503)
        app = build_app(proxy.base_url, QUICK)
        async with browsing(app, SIZE, notifications=True) as (pilot, screen):
            screen.transfers.run_upload(
                UploadRequest(path=source, name="a.txt", content_type=ContentType.TEXT)
            )
            await drain(app, pilot)
            assert_alive(app)
            transfer = screen.transfers_panel.transfers[-1]
            assert transfer.state is TransferState.FAILED and "HTTP 503" in (transfer.error or "")
            assert any("Upload failed" in e and "HTTP 503" in e for e in errors_notified(app))
        assert [e["method"] for e in proxy.log("/complete")] == ["POST"] * (QUICK.max_retries + 1)
    assert _state_count(server.base_url, "UPLOADING") == 0
    assert _state_count(server.base_url, "READ_ONLY") == 0
