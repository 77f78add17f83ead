"""Regenerate the README screenshots (screenshots/*.svg) from a deterministic demo store.

    .venv/bin/python screenshots/make_screenshots.py

Runs the app headless against a temporary local store seeded with the demo data, with the
clock frozen so relative times never change, and saves one SVG per view.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import Settings
from runloop_tui.server.demo import seed_demo
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.screens.browser import BrowserScreen

OUT = Path(__file__).resolve().parent
NOW_MS = 1_893_456_000_000  # 2030-01-01 00:00 UTC, the demo data's "now"
API_KEY = "rk_screenshots_0000000000000000"

Step = Callable[[Pilot[Any], BrowserScreen], Awaitable[None]]


async def settle(app: RunloopApp, pilot: Pilot[Any]) -> None:
    for _ in range(2):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def keys(*pressed: str) -> Step:
    async def step(pilot: Pilot[Any], screen: BrowserScreen) -> None:
        await pilot.press(*pressed)

    return step


def filtered(text: str) -> Step:
    async def step(pilot: Pilot[Any], screen: BrowserScreen) -> None:
        await pilot.press("slash")
        screen.set_filter(text)

    return step


SHOTS: dict[str, tuple[tuple[int, int], list[Step]]] = {
    "main-120x36": ((120, 36), [keys("j", "j", "j", "space", "space")]),
    "main-80x24": ((80, 24), [keys("j")]),
    "filtered": ((120, 36), [filtered("type:tgz,tar size>1MB -agent-runs/2026")]),
    "help": ((120, 36), [keys("question_mark")]),
    "detail": ((80, 24), [keys("j", "j", "j", "j", "i")]),
}


async def shoot(base_url: str, name: str, size: tuple[int, int], steps: list[Step]) -> Path:
    settings = Settings(base_url=base_url, api_key=API_KEY, demo=True)
    client = ObjectsClient(base_url, API_KEY)
    # Live refresh stays on for the header's sake; a refresh would redraw the same rows.
    app = RunloopApp(settings, client, clock=lambda: NOW_MS / 1000)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        for step in steps:
            await step(pilot, screen)
            await settle(app, pilot)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        path = Path(app.save_screenshot(f"{name}.svg", str(OUT)))
    return path


async def main() -> int:
    os.environ["TZ"] = "UTC"  # absolute times in the detail pane
    time.tzset()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "store"
        data_dir.mkdir()
        seed_demo(data_dir, API_KEY, count=240, now_ms=NOW_MS)
        with EmbeddedServer(data_dir, api_keys=[API_KEY]) as server:
            for name, (size, steps) in SHOTS.items():
                path = await shoot(server.base_url, name, size, steps)
                print(f"wrote {path.relative_to(OUT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
