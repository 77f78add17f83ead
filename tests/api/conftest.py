"""API client test fixtures: the transport speed-ups, a fault proxy in front of the server.
(make_client and its FAST retries are in tests/conftest.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.support.fault_proxy import FaultProxy

if TYPE_CHECKING:
    from runloop_tui.server.embedded import EmbeddedServer


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
