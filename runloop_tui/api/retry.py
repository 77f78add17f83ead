"""Retry policy and decisions, mirroring Runloop's official Python SDK (runloop-api-client 3.0.0).

Kept free of I/O so the decisions are easy to read and to test: which responses are retried,
how long to wait, and what the UI is told while it waits.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

# The longest server-requested wait we honour, as the SDK does; longer asks fall back to backoff.
MAX_RETRY_AFTER_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Mirrors Runloop's official Python SDK defaults (5 retries, 30 s timeout, 5 s connect)."""

    max_retries: int = 5
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 5.0
    max_backoff_seconds: float = 60.0
    # The SDK waits min(2**n * 1 s, 60 s); tests make this tiny.
    initial_backoff_seconds: float = 1.0
    # Uploads and downloads may stall longer between chunks than an API call (slow disks, S3).
    transfer_timeout_seconds: float = 300.0
    # A server that cannot be reached at all (refused, no route, connect timeout) is given
    # this long, retries included, before the call fails: a user waiting on Preview or a URL
    # learns within seconds that the server is down, not after the SDK's half-minute of
    # backoff. A server that answers 5xx or 429 still gets every retry. None: retry as the SDK.
    unreachable_seconds: float | None = 5.0
    # An API answer (not a transfer) must be whole within this, however slowly it trickles:
    # the read timeout above restarts with every byte, so a server sending one byte a second
    # would otherwise hold a call (and `ls` in a cron job) for ever. None: the larger of
    # 120 s (a 5,000-object page, ~2 MB, at 17 KB/s) and four read timeouts, so a timeout
    # raised for a slow server is never cut short by this.
    answer_deadline_seconds: float | None = None

    def answer_deadline(self) -> float:
        if self.answer_deadline_seconds is not None:
            return self.answer_deadline_seconds
        return max(120.0, 4 * self.timeout_seconds)

    def api_timeout(self) -> httpx.Timeout:
        import httpx  # the HTTP stack loads with the first client (api/transport.py)

        return httpx.Timeout(self.timeout_seconds, connect=self.connect_timeout_seconds)

    def transfer_timeout(self) -> httpx.Timeout:
        import httpx

        return httpx.Timeout(self.transfer_timeout_seconds, connect=self.connect_timeout_seconds)


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """Told to the UI just before the client sleeps and tries again."""

    attempt: int  # 1 for the first retry
    max_retries: int
    delay_seconds: float
    reason: str  # e.g. "HTTP 503", "connection refused", "timed out"
    method: str
    path: str
    request_id: str

    @property
    def short(self) -> str:
        """`retrying (2/5)…`: for a status line."""
        return f"retrying ({self.attempt}/{self.max_retries})…"

    def __str__(self) -> str:
        return (
            f"retrying {self.method} {self.path} in {self.delay_seconds:.1f}s "
            f"({self.reason}; attempt {self.attempt} of {self.max_retries})"
        )


RetryHook = Callable[[RetryEvent], None]


def should_retry_response(response: httpx.Response) -> bool:
    """The SDK's rule, except for 409 (see below)."""
    header = response.headers.get("x-should-retry")
    if header == "true":
        return True
    if header == "false":
        return False
    status = response.status_code
    # The SDK also retries 409 (lock timeouts on its other endpoints). For objects a 409 means
    # "complete on an object that is not UPLOADING": a real state conflict that a retry can only
    # repeat, and retrying would just delay the user's error by a minute of backoff.
    return status in (408, 429) or status >= 500


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks us to wait: retry-after-ms, then retry-after (seconds or a date)."""
    try:
        return float(headers["retry-after-ms"]) / 1000
    except (KeyError, TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    import email.utils  # loaded by httpx already, whenever a response exists

    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return float(email.utils.mktime_tz(parsed) - time.time())


def backoff_seconds(
    policy: RetryPolicy, retries_done: int, headers: httpx.Headers | None = None
) -> float:
    """How long to sleep before retry number ``retries_done + 1``."""
    if headers is not None:
        asked = parse_retry_after(headers)
        if asked is not None and 0 < asked <= MAX_RETRY_AFTER_SECONDS:
            return asked
    base = min(
        policy.initial_backoff_seconds * 2.0 ** min(retries_done, 1000), policy.max_backoff_seconds
    )
    return max(0.0, base * (1 - 0.25 * random.random()))


def out_of_patience(policy: RetryPolicy, started: float, delay: float) -> bool:
    """Would sleeping ``delay`` more take an unreachable server past its time?"""
    budget = policy.unreachable_seconds
    return budget is not None and time.monotonic() - started + delay > budget
