"""Helpers for driving RunloopApp in reliability tests (real server, real client)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from textual.worker import WorkerCancelled

from runloop_tui.api import ObjectsClient, RetryEvent, RetryPolicy
from runloop_tui.config import Settings
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.screens.browser import BrowserScreen
from tests.conftest import API_KEY
from tests.tui.conftest import fixed_clock


@dataclass
class Watch:
    """Client retry events, and what the header said whenever one happened."""

    events: list[RetryEvent] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    app: RunloopApp | None = None
    then: Callable[[RetryEvent], None] | None = None

    def hook(self, event: RetryEvent) -> None:
        # Runs before the browser's own hook: the header shows the previous retry's words.
        self.events.append(event)
        if self.app is not None:
            screen = browser_of(self.app)
            if screen is not None and screen.is_mounted:
                self.headers.append(screen.header.refresh_text)
        if self.then is not None:
            self.then(event)


def browser_of(app: RunloopApp) -> BrowserScreen | None:
    for screen in reversed(app.screen_stack):
        if isinstance(screen, BrowserScreen):
            return screen
    return None


def build_app(
    base_url: str,
    policy: RetryPolicy,
    watch: Watch | None = None,
    *,
    api_key: str = API_KEY,
    **app_kwargs: Any,
) -> RunloopApp:
    settings = Settings(base_url=base_url, api_key=api_key)
    client = ObjectsClient(
        base_url, api_key, retry=policy, on_retry=watch.hook if watch is not None else None
    )
    app_kwargs.setdefault("clock", fixed_clock)
    app_kwargs.setdefault("live_refresh", False)
    app = RunloopApp(settings, client, **app_kwargs)
    if watch is not None:
        watch.app = app
    return app


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


def errors_notified(app: RunloopApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications if n.severity == "error"]


def all_notified(app: RunloopApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def assert_alive(app: RunloopApp) -> None:
    assert app._exception is None, f"an exception escaped: {app._exception!r}"
    assert app.is_running and app.return_code is None


_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)
_TAG = re.compile(r"<[^>]+>")


def svg_text(svg: str) -> str:
    """The characters a screenshot shows, in document order (markup and entities undone)."""
    parts = [html.unescape(_TAG.sub("", chunk)) for chunk in _TEXT.findall(svg)]
    return "".join(parts).replace("\xa0", " ")


def screen_lines(app: RunloopApp) -> list[str]:
    """The plain text of each terminal line, as export_screenshot() renders the screen."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()
