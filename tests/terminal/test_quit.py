"""Quitting with work in flight asks first, and a confirmed quit, SIGTERM or a dropped SSH
connection (SIGHUP) cancel the work and clean up: nothing is left UPLOADING.

The app runs in a real pty against the real local server, through a fault proxy that holds
the upload's PUT, so the upload is reliably in flight when the user quits.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.rawapi import get_object, list_objects, put_object
from tests.support.fault_proxy import FaultProxy
from tests.support.terminal import Terminal, runloop_tui_argv

pytestmark = pytest.mark.timeout(90)

QUESTION = "1 transfer is running. Quit and cancel it?"


@pytest.fixture
def held_uploads(server: EmbeddedServer) -> Iterator[FaultProxy]:
    """A proxy in front of the server that holds every upload PUT for a minute."""
    with FaultProxy(server.base_url) as proxy:
        proxy.configure(match="/_blobs/", method="PUT", delay_first=100, delay_seconds=60)
        yield proxy


@pytest.fixture
def term(held_uploads: FaultProxy, tmp_path: Path) -> Iterator[Terminal]:
    env = {
        BASE_URL_ENV: held_uploads.base_url,
        API_KEY_ENV: API_KEY,
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
    }
    env = {k: v for k, v in env.items() if k != CONFIG_ENV}
    with Terminal(
        runloop_tui_argv(), size=(120, 36), env=env, cwd=tmp_path, unset=[CONFIG_ENV]
    ) as terminal:
        terminal.wait_for("No objects yet", timeout=30)
        yield terminal


def wait_until(predicate: object, timeout: float = 20.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def start_upload(term: Terminal, server: EmbeddedServer, tmp_path: Path) -> str:
    """Upload a file through the form; return the id once the server shows it UPLOADING."""
    source = tmp_path / "big.bin"
    source.write_bytes(b"x" * (1 << 20))
    term.write("u")
    term.wait_for("Upload", timeout=10)
    term.write(str(source))
    term.wait_for("big.bin", timeout=10)
    term.write("\x13")  # ctrl+s submits the form
    wait_until(
        lambda: any(o["state"] == "UPLOADING" for o in list_objects(server.base_url, limit=100))
    )
    (uploading,) = [
        o for o in list_objects(server.base_url, limit=100) if o["state"] == "UPLOADING"
    ]
    return str(uploading["id"])


def assert_cleaned_up(server: EmbeddedServer, object_id: str) -> None:
    # The listing leaves deleted objects out; nothing of ours is still UPLOADING.
    assert all(o["id"] != object_id for o in list_objects(server.base_url, limit=100))
    assert get_object(server.base_url, object_id)["state"] == "DELETED"


def test_quit_asks_first_defaults_to_no_and_then_cleans_up(
    term: Terminal, server: EmbeddedServer, tmp_path: Path
) -> None:
    object_id = start_upload(term, server, tmp_path)
    term.write("q")
    term.wait_for(QUESTION, timeout=10)
    term.write("\r")  # Enter answers the default: No
    term.wait_for(lambda text: QUESTION not in text, timeout=10, settle=0.5)
    assert term.process.poll() is None, "No must keep the app running"
    assert any(
        o["id"] == object_id and o["state"] == "UPLOADING"
        for o in list_objects(server.base_url, limit=100)
    )

    term.write("q")
    term.wait_for(QUESTION, timeout=10)
    started = time.monotonic()
    term.write("\t\r")  # Tab to "Quit and cancel", Enter
    assert term.wait_exit(timeout=15) == 0, term.tail()
    assert time.monotonic() - started < 8, "the clean-up must be bounded"
    assert_cleaned_up(server, object_id)


def test_ctrl_q_asks_too(term: Terminal, server: EmbeddedServer, tmp_path: Path) -> None:
    object_id = start_upload(term, server, tmp_path)
    term.write("\x11")  # ctrl+q
    term.wait_for(QUESTION, timeout=10)
    term.write("\x1b")  # Esc keeps working
    term.wait_for(lambda text: QUESTION not in text, timeout=10, settle=0.3)
    assert term.process.poll() is None
    term.signal(signal.SIGTERM)
    assert term.wait_exit(timeout=15) == 128 + signal.SIGTERM
    assert_cleaned_up(server, object_id)


def test_a_dropped_connection_cleans_up(
    term: Terminal, server: EmbeddedServer, tmp_path: Path
) -> None:
    object_id = start_upload(term, server, tmp_path)
    term.hang_up()  # the kernel sends SIGHUP, as when an SSH connection drops
    assert term.wait_exit(timeout=15) == 128 + signal.SIGHUP
    assert_cleaned_up(server, object_id)


def test_quit_with_nothing_running_is_immediate(term: Terminal) -> None:
    term.write("q")
    assert term.wait_exit(timeout=10) == 0


def test_quit_mid_download_leaves_no_partial_file(
    held_uploads: FaultProxy, server: EmbeddedServer, tmp_path: Path
) -> None:
    content = b"y" * (1 << 20)
    put_object(server.base_url, "slow.bin", data=content, content_type="binary")
    # Downloads through the proxy now crawl: 4 KiB every 0.1 s.
    held_uploads.configure(match="/_blobs/", method="GET", trickle_first=100)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    env = {
        BASE_URL_ENV: held_uploads.base_url,
        API_KEY_ENV: API_KEY,
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    with Terminal(
        runloop_tui_argv(), size=(120, 36), env=env, cwd=downloads, unset=[CONFIG_ENV]
    ) as term:
        term.wait_for("slow.bin", timeout=30)
        term.write("w")
        term.wait_for("Download", timeout=10)
        term.write("\r")  # save as the suggested ./slow.bin
        wait_until(lambda: any(p.name.startswith(".slow.bin.part") for p in downloads.iterdir()))
        term.write("q")
        term.wait_for(QUESTION, timeout=10)
        term.write("\t\r")
        assert term.wait_exit(timeout=15) == 0, term.tail()
    assert list(downloads.iterdir()) == []
