"""Fixtures for reliability tests: a real server subprocess that can be killed and restarted."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runloop_tui.api.retry import RetryPolicy
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.reliability.procs import ServerProcess

# Bounded waits for background restarts.
RESTART_WAIT_SECONDS = 30.0

# Enough retries to outlast a server restart (about a second), with small sleeps.
PATIENT = RetryPolicy(
    max_retries=12, timeout_seconds=10, initial_backoff_seconds=0.05, max_backoff_seconds=1.0
)


@pytest.fixture
def client_retry() -> RetryPolicy:
    """Here make_client's clients are patient: the server is killed and comes back."""
    return PATIENT


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    """``python -m runloop_tui.server`` on a fixed loopback port, with both test accounts."""
    data_dir = tmp_path / "server-data"
    logs = tmp_path / "server-logs"
    logs.mkdir()
    process = ServerProcess(data_dir, [API_KEY, OTHER_API_KEY], logs)
    with process:
        yield process


Restarter = Callable[[threading.Event], threading.Thread]


@pytest.fixture
def restart_when(server_process: ServerProcess) -> Iterator[Restarter]:
    """``restart_when(event)``: a thread that starts the (killed) server once ``event`` is set.

    The test sets the event from a client retry hook, so the restart happens while the
    client is backing off, never on a timer guess.
    """
    threads: list[threading.Thread] = []
    errors: list[BaseException] = []
    finished = threading.Event()

    def start(event: threading.Event) -> threading.Thread:
        def run() -> None:
            deadline = time.monotonic() + RESTART_WAIT_SECONDS
            while not finished.is_set() and time.monotonic() < deadline:
                if event.wait(0.05):
                    try:
                        server_process.start()
                    except BaseException as exc:  # surfaced at teardown
                        errors.append(exc)
                    return

        thread = threading.Thread(target=run, name="restart-server", daemon=True)
        thread.start()
        threads.append(thread)
        return thread

    yield start
    finished.set()
    for thread in threads:
        thread.join(RESTART_WAIT_SECONDS)
    assert not errors, errors


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything every logger says at DEBUG, with each record's arguments (httpx, httpcore,
    h11, Textual and ours included): where a leaked secret would show up."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    names = ["httpx", "httpcore", "h11", "hpack", "textual", "runloop_tui", "asyncio"]
    saved = {name: logging.getLogger(name).level for name in names}
    saved_root = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_root)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
