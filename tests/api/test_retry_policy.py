"""Retry decisions in isolation: which answers are retried and how long the client waits."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from runloop_tui.api import RetryPolicy
from runloop_tui.api.retry import backoff_seconds, parse_retry_after, should_retry_response


def _response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={k.replace("_", "-"): v for k, v in headers.items()})


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert should_retry_response(_response(status))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422])
def test_not_retried_statuses(status: int) -> None:
    # 409 deliberately differs from the SDK: a complete conflict is a real state conflict.
    assert not should_retry_response(_response(status))


def test_x_should_retry_header_wins() -> None:
    assert should_retry_response(_response(400, x_should_retry="true"))
    assert not should_retry_response(_response(503, x_should_retry="false"))


def test_retry_after_forms() -> None:
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert parse_retry_after(httpx.Headers({"retry-after": "3"})) == 3.0
    assert parse_retry_after(httpx.Headers({"retry-after": "1.5"})) == 1.5
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    seconds = parse_retry_after(httpx.Headers({"retry-after": date}))
    assert seconds is not None and 25 <= seconds <= 31
    assert parse_retry_after(httpx.Headers({"retry-after": "soon"})) is None
    assert parse_retry_after(httpx.Headers()) is None
    # retry-after-ms takes precedence over retry-after
    both = httpx.Headers({"retry-after-ms": "100", "retry-after": "9"})
    assert parse_retry_after(both) == 0.1


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    policy = RetryPolicy(initial_backoff_seconds=1.0, max_backoff_seconds=60.0)
    for n, base in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        for _ in range(20):
            delay = backoff_seconds(policy, n)
            assert 0.75 * base <= delay <= base


def test_server_requested_wait_up_to_60s_takes_precedence() -> None:
    policy = RetryPolicy(initial_backoff_seconds=1.0)
    assert backoff_seconds(policy, 0, httpx.Headers({"retry-after": "7"})) == 7.0
    # over 60 s (or nonsense) falls back to the computed backoff
    assert backoff_seconds(policy, 0, httpx.Headers({"retry-after": "600"})) <= 1.0
    assert backoff_seconds(policy, 0, httpx.Headers({"retry-after": "-3"})) <= 1.0
