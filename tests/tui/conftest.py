"""Fixtures for the TUI tests: a seeded local server and an app factory with a frozen clock."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import Worker, WorkerCancelled, WorkerState

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.retry import RetryEvent, RetryPolicy
from runloop_tui.config import Settings
from runloop_tui.server.demo import seed_demo
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.screens.browser import BrowserScreen
from tests.conftest import API_KEY, OTHER_API_KEY

# 2030-01-01 00:00 UTC. In the future on purpose: the server judges expiry by the real clock,
# so nothing seeded relative to this instant expires (or is reaped) while the suite runs.
NOW_MS = 1_893_456_000_000
DEMO_COUNT = 240

AppFactory = Callable[..., RunloopApp]


class WorkerErrors:
    """Workers that ended in ERROR during a test. They run with exit_on_error=False, so
    nothing else (not Pilot, not app._exception) notices them."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, BaseException | None]] = []

    def take(self) -> list[tuple[str, BaseException | None]]:
        """The failures so far, which a test that provokes them on purpose then owns."""
        failed, self.failed = self.failed, []
        return failed


@pytest.fixture(autouse=True)
def worker_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerErrors]:
    """Fail any test in which a worker ends in ERROR (unless the test took the failure)."""
    errors = WorkerErrors()
    original = Worker._run

    async def run(self: Worker[Any], app: Any) -> None:
        await original(self, app)
        if self.state is WorkerState.ERROR:
            errors.failed.append((self.description or self.name, self.error))

    monkeypatch.setattr(Worker, "_run", run)
    yield errors
    if errors.failed:
        pytest.fail(f"a worker ended in ERROR: {errors.failed!r}")


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen in UTC, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def fixed_clock() -> float:
    return NOW_MS / 1000


def quick_retry() -> RetryPolicy:
    # Tests must not sit in backoff: one quick retry, short timeouts.
    return RetryPolicy(
        max_retries=1, timeout_seconds=5, connect_timeout_seconds=2, initial_backoff_seconds=0.01
    )


def make_app(
    base_url: str,
    *,
    retry: RetryPolicy | None = None,
    on_retry: Callable[[RetryEvent], None] | None = None,
    api_key: str = API_KEY,
    **kwargs: Any,
) -> RunloopApp:
    """The app on a real client (quick retries unless told), frozen clock, no live refresh."""
    settings_kw = {
        k: kwargs.pop(k)
        for k in ("read_only", "accent", "keymap", "refresh_seconds", "profile")
        if k in kwargs
    }
    settings = Settings(base_url=base_url, api_key=api_key, **settings_kw)
    client = ObjectsClient(
        base_url, api_key, retry=retry if retry is not None else quick_retry(), on_retry=on_retry
    )
    kwargs.setdefault("clock", fixed_clock)
    kwargs.setdefault("live_refresh", False)
    return RunloopApp(settings, client, **kwargs)


@pytest.fixture
def demo_server(data_dir: Path) -> Iterator[EmbeddedServer]:
    """A server over the deterministic demo store (seeded before it starts)."""
    seed_demo(data_dir, API_KEY, count=DEMO_COUNT, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as running:
        yield running


@pytest.fixture
def demo_app(demo_server: EmbeddedServer) -> AppFactory:
    def factory(**kwargs: Any) -> RunloopApp:
        return make_app(demo_server.base_url, **kwargs)

    return factory


async def drain(app: RunloopApp, pilot: Any) -> None:
    """Every worker done and painted (more than once: workers start workers).

    An exclusive worker replaced by a newer one ends CANCELLED, and wait_for_complete()
    then raises; that is normal here, so wait again (bounded) for the rest.
    """
    for _ in range(3):
        await pilot.pause()
        for _attempt in range(20):
            running = [w for w in app.workers if not w.is_finished]
            if not running:
                break
            try:
                await app.workers.wait_for_complete(running)
            except WorkerCancelled:
                continue
    await pilot.pause()


async def settle(app: RunloopApp, pilot: Any) -> BrowserScreen:
    """Let mounting, every worker and the resulting repaints finish; return the browser."""
    await drain(app, pilot)
    return browser(app)


@asynccontextmanager
async def browsing(
    app: RunloopApp, size: tuple[int, int] = (120, 36), **run_test: Any
) -> AsyncIterator[tuple[Pilot[None], BrowserScreen]]:
    """The app running headless at ``size`` (120x36 unless told), its first listing loaded
    and painted: (pilot, browser). ``run_test`` passes on, e.g. ``notifications=True``."""
    async with app.run_test(size=size, **run_test) as pilot:
        yield pilot, await settle(app, pilot)


def browser_of(app: RunloopApp) -> BrowserScreen | None:
    for screen in reversed(app.screen_stack):
        if isinstance(screen, BrowserScreen):
            return screen
    return None


def browser(app: RunloopApp) -> BrowserScreen:
    screen = browser_of(app)
    if screen is None:
        raise AssertionError("the browser screen is not on the stack")
    return screen
