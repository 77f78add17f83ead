"""Helpers for driving RunloopApp in reliability tests (real server, real client)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from runloop_tui.api import RetryEvent, RetryPolicy
from runloop_tui.tui.app import RunloopApp
from tests.conftest import API_KEY
from tests.notified import all_notified, errors_notified
from tests.tui.conftest import browser_of, drain, make_app

__all__ = ["all_notified", "browser_of", "drain", "errors_notified"]


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


def build_app(
    base_url: str,
    policy: RetryPolicy,
    watch: Watch | None = None,
    *,
    api_key: str = API_KEY,
    **app_kwargs: Any,
) -> RunloopApp:
    """make_app with ``policy``, and ``watch`` seeing every retry."""
    app = make_app(
        base_url,
        retry=policy,
        on_retry=watch.hook if watch is not None else None,
        api_key=api_key,
        **app_kwargs,
    )
    if watch is not None:
        watch.app = app
    return app


def assert_alive(app: RunloopApp) -> None:
    # An exception that escapes a handler sets the public return code to 1 (and run_test
    # re-raises it on the way out); a live app has none.
    assert app.return_code is None, f"the app exited with {app.return_code}"
    assert app.is_running


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
