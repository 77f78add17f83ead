"""Regenerate every README screenshot (screenshots/*.svg) from a deterministic demo store.

    python screenshots/make_screenshots.py            # all of them
    python screenshots/make_screenshots.py help main-80x24   # just these

Runs the app headless against a temporary local store seeded with the demo data, with the
clock frozen so relative times never change, opens each view with its real keys, and saves one
SVG per view.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from runloop_tui.api.bulk import BulkDeleteOutcome, DeleteFailure
from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ObjectState
from runloop_tui.config import Settings
from runloop_tui.server.demo import seed_demo
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.bulk_delete import BulkResultsModal
from runloop_tui.tui.screens.browser import BrowserScreen
from runloop_tui.tui.widgets.transfers import TransferState

OUT = Path(__file__).resolve().parent
REPO = OUT.parent
NOW_MS = 1_893_456_000_000  # 2030-01-01 00:00 UTC, the demo data's "now"
API_KEY = "rk_screenshots_0000000000000000"

Step = Callable[[Pilot[Any], BrowserScreen], Awaitable[None]]


async def settle(app: RunloopApp, pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def keys(*pressed: str) -> Step:
    async def step(pilot: Pilot[Any], screen: BrowserScreen) -> None:
        await pilot.press(*pressed)

    return step


def select_first(predicate: Callable[[Any], bool]) -> Step:
    async def step(pilot: Pilot[Any], screen: BrowserScreen) -> None:
        for obj in screen.visible_objects:
            if predicate(obj):
                screen.select_object(obj.id)
                return
        raise SystemExit("no demo object matches a screenshot's needs")

    return step


def fill(selector: str, value: str) -> Step:
    async def step(pilot: Pilot[Any], screen: BrowserScreen) -> None:
        pilot.app.screen.query_one(selector, Input).value = value

    return step


def filtered(text: str) -> Step:
    async def step(pilot: Pilot[Any], screen: BrowserScreen) -> None:
        screen.set_filter(text)

    return step


async def transfers(pilot: Pilot[Any], screen: BrowserScreen) -> None:
    """Three transfers frozen mid-flight: the panel as it looks during work."""
    clock = [1000.0]
    panel = screen.transfers_panel
    panel.clock = lambda: clock[0]
    up = panel.start("upload", "agent-runs/2029-12/run-0042/workspace.tar.gz")
    down = panel.start("download", "datasets/eval/swe-bench-lite.jsonl.gz")
    done = panel.start("download", "logs/api-server/2029-12-31.log.gz")
    for seconds, (u, d) in enumerate([(0, 0), (40_000_000, 90_000_000), (95_000_000, 180_000_000)]):
        clock[0] = 1000.0 + seconds * 4
        panel.progress_callback(up)(u, None)
        panel.progress_callback(down)(d, 412_000_000)
    panel.progress_callback(done)(48_213_775, 48_213_775)
    clock[0] = 1010.0
    panel.finish(done, TransferState.DONE)
    clock[0] = 1008.0


async def results(pilot: Pilot[Any], screen: BrowserScreen) -> None:
    objs = [o for o in screen.visible_objects if o.state is ObjectState.READ_ONLY][:25]
    failed = tuple(
        DeleteFailure(o, f"HTTP 409 Conflict (POST /v1/objects/{o.id}/delete): object is locked.")
        for o in objs[:2]
    )
    outcome = BulkDeleteOutcome(requested=25, deleted=tuple(objs[2:]), failed=failed, skipped=())
    pilot.app.push_screen(BulkResultsModal(outcome))


def readable(obj: Any) -> bool:
    return obj.state is ObjectState.READ_ONLY and (obj.size_bytes or 0) > 0


SHOTS: dict[str, tuple[tuple[int, int], list[Step]]] = {
    "main-120x36": ((120, 36), [keys("j", "j", "j", "space", "space")]),
    "main-80x24": ((80, 24), [keys("j")]),
    "filtered": ((120, 36), [filtered("type:tgz,tar size>1MB -artifacts/")]),
    "help": ((120, 36), [keys("question_mark")]),
    "detail": ((80, 24), [keys("j", "j", "j", "j", "i")]),
    # Z: largest first, g: top, V j j: the three largest marked (visual mode).
    "visual-marks-80x24": ((80, 24), [keys("Z", "g", "V", "j", "j")]),
    "wide-names-80x24": ((80, 24), [keys("W", "j", "j")]),
    "actions-upload": ((80, 24), [keys("u"), fill("#path", "README.md"), fill("#ttl", "7d")]),
    "actions-delete": ((80, 24), [keys("d")]),
    "actions-bulk-delete": (
        (120, 36),
        [filtered("state:uploading age>1h"), keys("a", "D", "1")],
    ),
    "actions-bulk-results": ((120, 36), [results]),
    "actions-presign": ((120, 36), [select_first(readable), keys("y")]),
    "actions-download": ((80, 24), [select_first(readable), keys("w")]),
    "actions-preview-text": (
        (120, 36),
        [select_first(lambda o: readable(o) and o.name.endswith(".jsonl")), keys("p")],
    ),
    "actions-preview-tgz": (
        (120, 36),
        [select_first(lambda o: readable(o) and str(o.content_type) == "tgz"), keys("enter")],
    ),
    "actions-export": ((80, 24), [keys("space", "j", "space", "e")]),
    "actions-transfers": ((120, 36), [transfers]),
    "actions-cleanup-palette": ((120, 36), [keys("ctrl+p", *"cleanup")]),
    "usage-120x36": ((120, 36), [keys("U", "down", "down", "enter", "space")]),
    "usage-80x24": ((80, 24), [keys("U")]),
}


async def shoot(base_url: str, name: str, size: tuple[int, int], steps: list[Step]) -> Path:
    settings = Settings(base_url=base_url, api_key=API_KEY, demo=True)
    settings = replace(settings, download_dir=Path("/tmp/downloads"))
    client = ObjectsClient(base_url, API_KEY)
    # Browser views keep live refresh on for the header; modals hold still without it.
    live = not name.startswith("actions-")
    app = RunloopApp(settings, client, clock=lambda: NOW_MS / 1000, live_refresh=live)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        for step in steps:
            await step(pilot, screen)
            await settle(app, pilot)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        for area in app.screen.query(TextArea):
            area.cursor_blink = False
        await pilot.pause()
        path = Path(app.save_screenshot(f"{name}.svg", str(OUT)))
    return path


def web_shot() -> Path:
    """screenshots/web.png: `runloop-tui web --demo` in Debian's Chromium (needs the test
    extra's playwright and `apt-get install chromium`), external fonts blocked."""
    import re
    import shutil
    import signal
    import subprocess

    from playwright.sync_api import Route, sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("the web screenshot needs Debian's Chromium: apt-get install chromium")
    server = subprocess.Popen(
        [sys.executable, "-m", "runloop_tui", "web", "--port", "0", "--demo"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        match = re.search(r"serving on (http://\S+)", server.stdout.readline())
        assert match, "runloop-tui web did not start"
        url = match.group(1)

        def local_only(route: Route) -> None:
            (route.continue_ if route.request.url.startswith(url) else route.abort)()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1200, "height": 700})
            page.route("**/*", local_only)
            page.goto(url + "/?fontsize=15")
            page.wait_for_selector("body.-first-byte")
            page.wait_for_timeout(3000)  # the first pages of the demo store
            page.locator(".textual-terminal").click()
            page.keyboard.type("/type:tgz,tar size>1MB")
            page.wait_for_timeout(1500)
            path = OUT / "web.png"
            page.screenshot(path=str(path))
            browser.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    return path


def main(names: list[str]) -> int:
    """Write the named shots, or every shot when none are named."""
    unknown = sorted(set(names) - set(SHOTS) - {"web"})
    if unknown:
        print(f"unknown screenshot(s): {', '.join(unknown)}; known: {', '.join(SHOTS)}, web")
        return 2
    os.environ["TZ"] = "UTC"
    time.tzset()
    os.chdir(REPO)  # the upload shot types a path relative to the repository
    Path("/tmp/downloads").mkdir(exist_ok=True)
    wanted = names or [*SHOTS, "web"]
    if "web" in wanted:
        print(f"wrote {web_shot().relative_to(OUT.parent)}")
    rest = [name for name in wanted if name != "web"]
    return asyncio.run(_shoot_all(rest)) if rest else 0


async def _shoot_all(names: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "store"
        data_dir.mkdir()
        seed_demo(data_dir, API_KEY, count=240, now_ms=NOW_MS)
        with EmbeddedServer(data_dir, api_keys=[API_KEY]) as server:
            for name in names:
                size, steps = SHOTS[name]
                path = await shoot(server.base_url, name, size, steps)
                print(f"wrote {path.relative_to(OUT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
