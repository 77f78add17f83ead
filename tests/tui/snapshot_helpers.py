"""What the app's snapshot tests share: the two sizes, and a preparation that leaves the screen
still before the screenshot (listing loaded, keys pressed, every worker done, no blinking).

Deterministic: the demo store is seeded from a fixed seed and instant, the app's clock is
frozen at that instant, live refresh is off, the cursor does not blink and times are UTC.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from runloop_tui.tui.app import RunloopApp
from tests.tui.conftest import settle

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


async def hold_still(app: RunloopApp, pilot: Pilot[Any]) -> None:
    """Every worker done and painted, and the text cursors steady."""
    await settle(app, pilot)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def prepare(*keys: str, filter_text: str | None = None) -> RunBefore:
    """Once the listing is in: set ``filter_text``, press ``keys`` one by one, hold still."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        screen = await settle(app, pilot)
        if filter_text is not None:
            screen.set_filter(filter_text)
        for key in keys:
            await pilot.press(key)
        await hold_still(app, pilot)

    return run_before
