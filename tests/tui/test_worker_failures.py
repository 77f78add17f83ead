"""Worker failures are never silent: a toast, a log without secrets, and a screen that
recovers. (The autouse `worker_errors` fixture fails any other test where a worker fails.)"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from runloop_tui.api.models import ObjectState
from runloop_tui.tui.modals.preview import PreviewModal
from tests.conftest import API_KEY
from tests.notified import notified

from .conftest import AppFactory, WorkerErrors, browsing, settle


@pytest.fixture
def tui_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("runloop_tui.tui")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def messages(app: Any) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in notified(app)]


async def test_a_bug_in_a_worker_is_said_and_logged_without_the_key(
    demo_app: AppFactory, worker_errors: WorkerErrors, tui_log: io.StringIO
) -> None:
    app = demo_app()
    async with browsing(app, notifications=True) as (pilot, screen):

        async def broken_head(object_id: str, size: int, **kwargs: object) -> bytes:
            raise RuntimeError(f"boom with {API_KEY} inside")

        app.client.read_head = broken_head  # type: ignore[method-assign,assignment]
        ready = next(o for o in screen.visible_objects if o.state is ObjectState.READ_ONLY)
        screen.select_object(ready.id)
        await pilot.press("p")
        for _ in range(50):
            await pilot.pause()
            if worker_errors.failed:
                break
        await pilot.pause()
        assert [what for what, _ in worker_errors.take()] == ["Preview"]
        said = [m for t, m in messages(app) if t == "Preview failed"]
        assert len(said) == 1 and "boom with [redacted] inside" in said[0]
        assert API_KEY not in said[0]
        assert not isinstance(app.screen, PreviewModal)
        logged = tui_log.getvalue()
        assert "Preview failed" in logged and "Traceback" in logged and "broken_head" in logged
        assert API_KEY not in logged
        # The screen carries on: the next action works.
        await pilot.press("I")
        await pilot.pause()
        assert app.clipboard == ready.id


async def test_a_failed_load_is_not_left_loading_and_is_retried(
    demo_app: AppFactory, worker_errors: WorkerErrors
) -> None:
    app = demo_app()
    async with browsing(app, notifications=True) as (pilot, screen):
        loaded = len(screen.model.index)
        calls = 0
        original = app.client.iter_pages

        def broken_pages(**kwargs: Any) -> AsyncIterator[Any]:
            nonlocal calls
            calls += 1
            raise ValueError("a page the loader did not expect")

        app.client.iter_pages = broken_pages  # type: ignore[method-assign,assignment]
        screen.refresh_now()
        # Not wait_for_complete(): it re-raises the worker's error.
        for _ in range(50):
            await pilot.pause()
            if worker_errors.failed:
                break
        await pilot.pause()
        assert calls == 1
        assert [what for what, _ in worker_errors.take()] == ["list objects"]
        assert not screen.is_loading
        assert screen.live.timer is not None  # a retry is scheduled
        assert "error" in screen.header.refresh_text.lower() or "retry" in (
            screen.header.refresh_text.lower()
        )
        assert any(t == "list objects failed" for t, _ in messages(app))
        assert len(screen.model.index) == loaded  # the last good rows stay
        # Recovered: once the loader works again, the list loads.
        app.client.iter_pages = original  # type: ignore[method-assign]
        screen.refresh_now()
        await settle(app, pilot)
        assert not screen.is_loading and len(screen.model.index) == loaded
        assert not worker_errors.failed


async def test_the_fixture_records_a_failed_worker(
    demo_app: AppFactory, worker_errors: WorkerErrors
) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):

        async def fail() -> None:
            raise KeyError("deliberate")

        screen.run_worker(fail(), exit_on_error=False, description="deliberate")
        for _ in range(50):
            await pilot.pause()
            if worker_errors.failed:
                break
        failed = worker_errors.take()
        assert [what for what, _ in failed] == ["deliberate"]
        assert isinstance(failed[0][1], KeyError)
