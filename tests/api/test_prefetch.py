"""The first list page fetched by a forked child (api/prefetch.py), against the real server.

Each case runs in a fresh process (tests/support/prefetch_probe.py), as the app does: fork
is only done before any thread starts, and pytest's process has threads (the server's).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from runloop_tui.api.prefetch import Prefetch, _whole_body
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.rawapi import put_object

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prefetching is Linux-only"),
]

ROOT = Path(__file__).resolve().parents[2]
NAMES = [f"prefetch-{i}.txt" for i in range(5)]


def _probe(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.prefetch_probe", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=50,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the child writes nothing where the user could see it
    out: dict[str, Any] = json.loads(result.stdout)
    return out


@pytest.fixture
def seeded(server: EmbeddedServer) -> str:
    for name in NAMES:
        put_object(server.base_url, name)
    return server.base_url


def test_the_first_page_comes_from_the_child_and_the_rest_from_the_client(seeded: str) -> None:
    out = _probe(seeded, API_KEY, "list", "--prefetch-limit", "2")
    assert out["started"] is True
    assert out["stack_loaded_at_first_page"] is False  # the parent had no HTTP stack yet
    assert out["children_after_first_page"] == []  # the child ended and was reaped
    assert len(out["first_page"]) == 2
    assert sorted(out["names"]) == sorted(NAMES)  # every page, once


def test_a_refused_answer_is_asked_again_and_reported_as_any_error(seeded: str) -> None:
    out = _probe(seeded, "rk_wrong_key", "list", "--prefetch-limit", "2")
    assert out["error"] == "UnauthorizedError"
    assert out["stack_loaded_at_first_page"] is True  # the parent asked the server itself
    assert out["children_at_end"] == []


def test_an_unreachable_server_is_the_clients_own_error(tmp_path: Path) -> None:
    out = _probe("http://127.0.0.1:9", API_KEY, "list", "--prefetch-limit", "2")
    assert out["error"] == "NetworkError"
    assert out["children_at_end"] == []


def test_a_different_first_request_is_not_answered_by_the_child(seeded: str) -> None:
    out = _probe(seeded, API_KEY, "list", "--prefetch-limit", "3")
    assert out["stack_loaded_at_first_page"] is True
    assert len(out["first_page"]) == 2 and sorted(out["names"]) == sorted(NAMES)
    assert out["children_after_first_page"] == []  # ended at the first request of the list


def test_a_silent_server_costs_at_most_the_deadline_and_leaves_no_child() -> None:
    out = _probe("silent", API_KEY, "body", "--prefetch-limit", "2", "--deadline", "0.5")
    assert out["body"] is None
    assert out["child_alive"] is False
    assert out["children_at_end"] == []


def test_no_fork_while_a_thread_runs() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        started = Prefetch.start(dict, "/v1/objects", {"limit": "1"}, 1.0)
    finally:
        release.set()
        thread.join()
    assert started is None


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (b"", None),
        (b"\x00" * 8, None),  # an empty body is no page
        ((5).to_bytes(8, "big") + b"{}", None),  # cut off: 2 of 5 bytes
        ((2).to_bytes(8, "big") + b"{}", b"{}"),
        ((2).to_bytes(8, "big") + b"{}x", None),  # more than announced
    ],
)
def test_only_a_whole_body_is_taken(received: bytes, expected: bytes | None) -> None:
    assert _whole_body(received) == expected
