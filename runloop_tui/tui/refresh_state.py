"""The live-refresh state machine behind the header's status: loading, live, paused, error.

Pure (no Textual): the browser screen feeds it events (load started, succeeded, failed,
the client is retrying) and asks what to show and when to try again.
"""

from __future__ import annotations

from dataclasses import dataclass


def adaptive_interval(count: int) -> float:
    """Seconds between refreshes when the user did not choose: cheap lists refresh often."""
    if count < 2_000:
        return 5.0
    if count < 20_000:
        return 15.0
    return 60.0


@dataclass
class RefreshState:
    chosen_interval: float | None = None  # Settings.refresh_seconds; None = adaptive
    live_enabled: bool = True  # False: no timer at all (snapshots)
    paused: bool = False
    loading: bool = False
    loaded_once: bool = False  # we have good rows: a refresh swaps instead of streaming
    failures: int = 0  # consecutive failed loads, for the backoff
    failing: bool = False  # inside an outage: notify once, not on every tick
    error_text: str = ""

    def interval(self, count: int) -> float:
        return self.chosen_interval if self.chosen_interval else adaptive_interval(count)

    @property
    def stale(self) -> bool:
        """Rows are on screen but the last attempt to refresh them failed."""
        return bool(self.error_text) and self.loaded_once

    def retrying(self, reason: str, delay_seconds: float) -> None:
        """The client is about to retry a list request."""
        if "connect" in reason:
            reason = "cannot reach server"
        self.error_text = f"error: {reason} — retrying in {delay_seconds:.0f}s"

    def failed(self, summary: str, count: int) -> tuple[float, bool]:
        """A load gave up: returns (seconds until the next try, whether to notify)."""
        self.loading = False
        self.failures += 1
        retry_in = min(2.0**self.failures, self.interval(count))
        self.error_text = f"error: {summary} — retrying in {retry_in:.0f}s"
        first = not self.failing
        self.failing = True
        return retry_in, first

    def succeeded(self) -> bool:
        """A load finished: returns True when that ends an outage."""
        recovered = self.failing
        self.loading = False
        self.loaded_once = True
        self.failures = 0
        self.failing = False
        self.error_text = ""
        return recovered

    def status(self, count: int) -> tuple[str, str]:
        """(kind, text) for the header; kind is a CSS class suffix."""
        if self.error_text:
            return "error", self.error_text + (" · stale" if self.loaded_once else "")
        if self.loading and not self.loaded_once:
            return "loading", "loading…"
        if self.paused:
            return "paused", "paused (P to resume)"
        if not self.live_enabled:
            return "paused", "live refresh off"
        text = f"live · every {self.interval(count):g}s"
        return "live", ("refreshing… · " + text) if self.loading else text
