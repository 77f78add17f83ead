"""Shared fixtures: every test talks to the real local Objects API server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from runloop_tui.api.retry import RetryEvent, RetryPolicy

if TYPE_CHECKING:
    from runloop_tui.api.client import ObjectsClient
    from runloop_tui.server.embedded import EmbeddedServer

API_KEY = "rk_test_primary_0123456789abcdef"
OTHER_API_KEY = "rk_test_other_fedcba9876543210"

# Retries in tests: real retry paths, tiny sleeps.
FAST = RetryPolicy(max_retries=3, timeout_seconds=5, initial_backoff_seconds=0.01)

MakeClient = Callable[..., "ObjectsClient"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    path.mkdir()
    return path


@pytest.fixture
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's real config, data dir or keys."""
    from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    for name in (API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server(data_dir: Path) -> Iterator[EmbeddedServer]:
    """A real server on a free loopback port, with two accounts (two API keys)."""
    from runloop_tui.server.embedded import EmbeddedServer

    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as running:
        yield running


@pytest.fixture
async def client(server: EmbeddedServer) -> AsyncIterator[ObjectsClient]:
    from runloop_tui.api.client import ObjectsClient, RetryPolicy

    async with ObjectsClient(
        server.base_url, API_KEY, retry=RetryPolicy(max_retries=2, timeout_seconds=10)
    ) as api:
        yield api


@pytest.fixture
def client_retry() -> RetryPolicy:
    """make_client's retry policy where a call names none (a folder's conftest may differ)."""
    return FAST


@pytest.fixture
async def make_client(client_retry: RetryPolicy) -> AsyncIterator[MakeClient]:
    """make_client(base_url, retry=..., events=list, on_event=callback) -> an ObjectsClient,
    closed after the test. Each retry is appended to ``events`` and passed to ``on_event``."""
    from runloop_tui.api.client import ObjectsClient

    async with AsyncExitStack() as stack:

        def make(
            base_url: str,
            *,
            retry: RetryPolicy | None = None,
            events: list[RetryEvent] | None = None,
            on_event: Callable[[RetryEvent], None] | None = None,
            api_key: str = API_KEY,
            **kwargs: Any,
        ) -> ObjectsClient:
            def hook(event: RetryEvent) -> None:
                if events is not None:
                    events.append(event)
                if on_event is not None:
                    on_event(event)

            api = ObjectsClient(
                base_url,
                api_key,
                retry=retry if retry is not None else client_retry,
                on_retry=hook if events is not None or on_event is not None else None,
                **kwargs,
            )
            stack.push_async_callback(api.aclose)
            return api

        yield make


@pytest.fixture(autouse=True)
def _record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every App.notify is recorded: tests read tests.notified, not Textual's internals."""
    from tests.notified import record_notifications

    record_notifications(monkeypatch)
