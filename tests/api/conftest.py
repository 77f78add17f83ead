"""API client test fixtures: fast retry policies, a fault proxy in front of the server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import pytest

from runloop_tui.api import ObjectsClient, RetryEvent, RetryPolicy
from tests.conftest import API_KEY
from tests.support.fault_proxy import FaultProxy

if TYPE_CHECKING:
    from runloop_tui.server.embedded import EmbeddedServer

# Retries in tests: real retry paths, tiny sleeps.
FAST = RetryPolicy(max_retries=3, timeout_seconds=5, initial_backoff_seconds=0.01)

MakeClient = Callable[..., ObjectsClient]


@pytest.fixture
def speedups() -> Iterator[None]:
    """The app's process-wide HTTP speed-ups (transport.install()) for one test."""
    from runloop_tui.api.transport import install, uninstall

    install()
    try:
        yield
    finally:
        uninstall()


@pytest.fixture
def proxy(server: EmbeddedServer) -> Iterator[FaultProxy]:
    with FaultProxy(server.base_url) as running:
        yield running


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """make_client(base_url, retry=..., events=list) -> an ObjectsClient closed after the test."""
    async with AsyncExitStack() as stack:

        def make(
            base_url: str,
            *,
            retry: RetryPolicy = FAST,
            events: list[RetryEvent] | None = None,
            api_key: str = API_KEY,
            **kwargs: Any,
        ) -> ObjectsClient:
            api = ObjectsClient(
                base_url,
                api_key,
                retry=retry,
                on_retry=events.append if events is not None else None,
                **kwargs,
            )
            stack.push_async_callback(api.aclose)
            return api

        yield make
