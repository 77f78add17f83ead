"""SVG snapshots of the usage view (U). Update with --snapshot-update.

Deterministic as the browser's snapshots are: the fixed demo store, a frozen clock, UTC.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from runloop_tui.server.embedded import EmbeddedServer
from tests.tui.conftest import make_app, settle
from tests.tui.test_snapshots_browser import SIZES, SnapCompare

pytestmark = pytest.mark.usefixtures("utc")


def _usage(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        await settle(app, pilot)
        await pilot.press("U")
        for key in keys:
            await pilot.press(key)
        await settle(app, pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_usage_top_level(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=_usage())


@pytest.mark.parametrize("size", SIZES)
def test_usage_drilled_in_with_a_marked_prefix(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    """agent-runs/ is third by size in the demo store: down, down, Enter, then mark one."""
    app = make_app(demo_server.base_url, profile="staging")
    run_before = _usage("down", "down", "enter", "space")
    assert snap_compare(app, terminal_size=size, run_before=run_before)
