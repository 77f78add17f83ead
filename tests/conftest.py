"""Shared fixtures: every test talks to the real local Objects API server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from runloop_tui.api.client import ObjectsClient
    from runloop_tui.server.embedded import EmbeddedServer

API_KEY = "rk_test_primary_0123456789abcdef"
OTHER_API_KEY = "rk_test_other_fedcba9876543210"


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


@pytest.fixture(autouse=True)
def _record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every App.notify is recorded: tests read tests.notified, not Textual's internals."""
    from tests.notified import record_notifications

    record_notifications(monkeypatch)
