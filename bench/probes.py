"""Instrumented apps for the headless figures: they timestamp painted frames.

A frame is painted when ``App._display`` gets a compositor update: that is the moment a
terminal would receive the bytes (the headless driver only skips the write itself).
Imported by child processes only. Only what a minimal app needs is imported here, so the
launch baseline pays for nothing extra.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from rich.console import RenderableType
from textual.app import App, ComposeResult
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.widgets import Static

SIZE = (120, 36)


class FrameProbe:
    """Records the first painted frame after ``arm()``; ``wait()`` returns its time."""

    def __init__(self) -> None:
        self.armed_at: float | None = None
        self.painted_at: float | None = None
        self.frames = 0
        self._event: asyncio.Event | None = None

    def arm(self) -> None:
        """The state to show is in place (rows set): the next frame shows it."""
        self.armed_at = time.perf_counter()
        self.painted_at = None

    def disarm(self) -> None:
        self.armed_at = None
        self.painted_at = None

    def frame(self) -> None:
        self.frames += 1
        if self.armed_at is not None and self.painted_at is None:
            self.painted_at = time.perf_counter()
            if self._event is not None:
                self._event.set()

    async def wait(self, limit_s: float) -> float:
        """The paint's perf_counter time; TimeoutError if none within ``limit_s``."""
        deadline = time.perf_counter() + limit_s
        while self.painted_at is None:
            self._event = asyncio.Event()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no frame was painted in time")
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                continue
        return self.painted_at


def probe_display(app: App[Any], probe: FrameProbe) -> None:
    """Hook ``app._display`` (instance attribute): each real frame calls ``probe.frame()``."""
    original = app._display

    def display(screen: Screen[Any], renderable: RenderableType | None) -> None:
        painted = renderable is not None and not app._batch_count
        original(screen, renderable)
        if painted:
            probe.frame()

    app._display = display  # type: ignore[method-assign]


def key_names(text: str) -> list[str]:
    """Key names for typing ``text`` with ``pilot.press``."""
    return [_character_to_key(ch) for ch in text]


class MinimalApp(App[None]):
    """The framework's floor: one line of text."""

    def __init__(self, probe: FrameProbe) -> None:
        super().__init__()
        self.probe = probe
        probe.arm()  # the very first frame counts
        probe_display(self, probe)

    def compose(self) -> ComposeResult:
        yield Static("runloop-tui bench: the smallest Textual app")
