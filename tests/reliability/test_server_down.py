"""Failing fast when the server is down: Preview, the URL modal and the client itself give up
within the unreachable budget (not after the SDK's half-minute of backoff), and say they are
retrying while they wait. Real server processes, killed for real."""

from __future__ import annotations

import contextlib

from runloop_tui.api import NetworkError, ObjectsClient, RetryEvent, RetryPolicy
from runloop_tui.config import Settings
from runloop_tui.server.demo import seed_bulk
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.presign import PresignModal
from tests.conftest import API_KEY
from tests.reliability.procs import ServerProcess
from tests.reliability.tuihelp import all_notified, assert_alive, drain
from tests.support.fault_proxy import FaultProxy, closed_port_url
from tests.tui.conftest import NOW_MS, browsing, fixed_clock

# The SDK's shape (5 retries, doubling), scaled down: 0.1 s, 0.2 s, 0.4 s, 0.8 s, 1.6 s would
# take 3.1 s; the unreachable budget of 0.5 s allows the first two retries only.
SCALED = RetryPolicy(max_retries=5, initial_backoff_seconds=0.1, unreachable_seconds=0.5)


async def test_an_unreachable_server_is_given_up_on_within_the_budget() -> None:
    events: list[RetryEvent] = []
    async with ObjectsClient(
        closed_port_url(), API_KEY, retry=SCALED, on_retry=events.append
    ) as api:
        try:
            await api.download_url("obj_x")
        except NetworkError as exc:
            assert "connection failed" in str(exc) or "connect" in str(exc)
        else:
            raise AssertionError("a closed port answered")
    assert 1 <= len(events) < SCALED.max_retries
    assert events[0].short == "retrying (1/5)…"


async def test_without_a_budget_every_retry_is_spent() -> None:
    events: list[RetryEvent] = []
    policy = RetryPolicy(max_retries=5, initial_backoff_seconds=0.01, unreachable_seconds=None)
    async with ObjectsClient(
        closed_port_url(), API_KEY, retry=policy, on_retry=events.append
    ) as api:
        with contextlib.suppress(NetworkError):
            await api.download_url("obj_x")
    assert len(events) == 5


async def test_a_failing_server_still_gets_every_retry(server_process: ServerProcess) -> None:
    """The budget is for a server that cannot be reached; a 503 is retried as the SDK does."""
    events: list[RetryEvent] = []
    with FaultProxy(server_process.base_url) as proxy:
        proxy.configure(match="/v1/objects", fail_first=4, fail_status=503)
        policy = RetryPolicy(max_retries=5, initial_backoff_seconds=0.2, unreachable_seconds=0.1)
        async with ObjectsClient(
            proxy.base_url, API_KEY, retry=policy, on_retry=events.append
        ) as api:
            page = await api.list_objects(limit=1)
    assert page.objects == [] and len(events) == 4


async def test_preview_and_the_url_modal_fail_fast_and_show_retries(
    server_process: ServerProcess,
) -> None:
    server_process.stop()
    seed_bulk(server_process.data_dir, API_KEY, 5, now_ms=NOW_MS)
    server_process.start()
    events: list[RetryEvent] = []
    client = ObjectsClient(server_process.base_url, API_KEY, retry=SCALED, on_retry=events.append)
    app = RunloopApp(
        Settings(base_url=server_process.base_url, api_key=API_KEY),
        client,
        clock=fixed_clock,
        live_refresh=False,
    )
    async with browsing(app) as (pilot, screen):
        assert len(screen.visible_objects) == 5
        server_process.kill()
        await pilot.press("p")
        await drain(app, pilot)
        said = all_notified(app)
        assert any("retrying (1/5)…" in text for text in said), said
        assert any(text.startswith("Preview failed") for text in said), said
        preview_retries = len(events)
        assert 1 <= preview_retries < SCALED.max_retries
        await pilot.press("y")
        await drain(app, pilot)
        modal = app.screen
        assert isinstance(modal, PresignModal)
        url_text = modal.query_one("#url").text  # type: ignore[attr-defined]
        assert url_text.startswith("No URL: "), url_text
        assert "Network error" in url_text
        assert len(events) - preview_retries < SCALED.max_retries
        assert_alive(app)
