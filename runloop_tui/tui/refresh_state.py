"""The live-refresh state machine behind the header's status: loading, live, paused, error.

Pure (no Textual): the browser screen feeds it events (load started, succeeded, failed,
the client is retrying) and asks what to show and when to try again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# An automatic refresh may take at most this share of the time: a listing that took 12 s
# (a million objects) is repeated every 4 minutes, not every minute.
REFRESH_DUTY = 0.05


def adaptive_interval(count: int, last_listing_seconds: float = 0.0) -> float:
    """Seconds between refreshes when the user did not choose: cheap lists refresh often,
    and a listing never takes more than REFRESH_DUTY of the time."""
    if count < 2_000:
        tier = 5.0
    elif count < 20_000:
        tier = 15.0
    elif count < 200_000:
        tier = 60.0
    else:
        tier = 300.0
    return max(tier, math.ceil(last_listing_seconds / REFRESH_DUTY))


def _span(seconds: float) -> str:
    """'5s', '90s' -> '1m 30s', '300s' -> '5m': the header's refresh interval."""
    whole = math.ceil(seconds)
    if whole < 60:
        return f"{seconds:g}s" if seconds < 1 else f"{whole}s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m {rest}s" if rest else f"{minutes}m"


@dataclass
class RefreshState:
    chosen_interval: float | None = None  # Settings.refresh_seconds; None = adaptive
    live_enabled: bool = True  # False: no timer at all (snapshots)
    paused: bool = False
    loading: bool = False
    loaded_once: bool = False  # we have good rows: a refresh swaps instead of streaming
    failures: int = 0  # consecutive failed loads, for the backoff
    failing: bool = False  # inside an outage: notify once, not on every tick
    error_text: str = ""  # what went wrong, e.g. "cannot reach server"; "" when fine
    retry_delay: float = 0.0  # seconds from the failure to the next attempt
    retry_at: float | None = None  # when the next attempt is due (the caller's clock)
    last_listing_seconds: float = 0.0  # how long the last full listing took

    def interval(self, count: int) -> float:
        if self.chosen_interval:
            return self.chosen_interval
        return adaptive_interval(count, self.last_listing_seconds)

    @property
    def stale(self) -> bool:
        """Rows are on screen but the last attempt to refresh them failed."""
        return bool(self.error_text) and self.loaded_once

    def retrying(self, reason: str, delay_seconds: float, now: float | None = None) -> None:
        """The client is about to retry a list request (``now``: for the countdown)."""
        if "connect" in reason:
            reason = "cannot reach server"
        self._error(reason, delay_seconds, now)

    def failed(self, summary: str, count: int, now: float | None = None) -> tuple[float, bool]:
        """A load gave up: returns (seconds until the next try, whether to notify)."""
        self.loading = False
        self.failures += 1
        retry_in = min(2.0**self.failures, self.interval(count))
        self._error(summary, retry_in, now)
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
        self.retry_at = None
        return recovered

    def _error(self, text: str, delay: float, now: float | None) -> None:
        self.error_text = text
        self.retry_delay = delay
        self.retry_at = None if now is None else now + delay

    def status(self, count: int, now: float | None = None) -> tuple[str, str]:
        """(kind, text) for the header; kind is a CSS class suffix. With ``now`` (the clock
        given to retrying/failed) the wait counts down."""
        if self.error_text:
            left = self.retry_delay
            if now is not None and self.retry_at is not None:
                left = self.retry_at - now
            when = f"retrying in {math.ceil(left - 1e-9):.0f}s" if left > 0 else "retrying…"
            stale = " · stale" if self.loaded_once else ""
            return "error", f"error: {self.error_text} — {when}{stale}"
        if self.loading and not self.loaded_once:
            return "loading", "loading…"
        if self.paused:
            return "paused", "paused (P to resume)"
        if not self.live_enabled:
            return "paused", "live refresh off"
        text = f"live · every {_span(self.interval(count))}"
        return "live", ("refreshing… · " + text) if self.loading else text
