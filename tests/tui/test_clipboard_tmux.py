"""Copy inside tmux: OSC 52 wrapped for passthrough, and tmux's own buffer (load-buffer -w)."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui import clipboard
from tests.conftest import API_KEY
from tests.support.terminal import Terminal, runloop_tui_argv

needs_tmux = pytest.mark.skipif(
    shutil.which("tmux") is None or sys.platform == "win32", reason="needs tmux and a pty"
)


@pytest.fixture
def tmux_socket(tmp_path: Path) -> Iterator[Path]:
    """A private tmux server (its own socket): the developer's tmux is never touched."""
    socket = tmp_path / "tmux.sock"
    subprocess.run(
        ["tmux", "-S", str(socket), "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24"],
        check=True,
    )
    try:
        yield socket
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], check=False)


def test_copy_result_says_where_the_text_went() -> None:
    assert clipboard.CopyResult(osc52=True, system=True).how == (
        "to the system clipboard and via OSC 52"
    )
    inside_tmux = clipboard.CopyResult(
        osc52=True, system=False, tmux_buffer=True, tmux_passthrough=True
    )
    assert inside_tmux.how == "to the tmux buffer and via OSC 52 (tmux passthrough)"
    assert clipboard.CopyResult(osc52=True, system=False, browser=True).how == (
        "to the browser's clipboard"
    )
    assert clipboard.in_tmux({"TMUX": "/tmp/tmux-0/default,1,0"})
    assert not clipboard.in_tmux({"TMUX": ""})


def test_passthrough_doubles_every_escape() -> None:
    wrapped = clipboard.tmux_passthrough(clipboard.osc52("hé"))
    payload = base64.b64encode("hé".encode()).decode()
    assert wrapped == f"\x1bPtmux;\x1b\x1b]52;c;{payload}\a\x1b\\"


async def _upload(base_url: str, source: Path, name: str) -> None:
    client = ObjectsClient(base_url, API_KEY)
    try:
        await client.upload_path(source, name=name)
    finally:
        await client.aclose()


@needs_tmux
def test_copy_name_inside_tmux_reaches_the_buffer_and_passes_through(
    server: EmbeddedServer, tmp_path: Path, tmux_socket: Path
) -> None:
    name = "runs/copy-me-please.jsonl"
    source = tmp_path / "x.jsonl"
    source.write_text("{}\n")
    asyncio.run(_upload(server.base_url, source, name))
    env = {
        API_KEY_ENV: API_KEY,
        BASE_URL_ENV: server.base_url,
        # What tmux sets inside a pane: socket,server pid,session. Only the socket is used.
        "TMUX": f"{tmux_socket},{os.getpid()},0",
        "DISPLAY": "",
        "WAYLAND_DISPLAY": "",
    }
    with Terminal(runloop_tui_argv(), size=(80, 24), env=env) as app:
        app.wait_for("copy-me-please", timeout=60)
        app.write(b"N")
        app.wait_for("Copied name to the tmux buffer", timeout=60)
        app.wait_for("passthrough)", timeout=60)
    payload = base64.b64encode(name.encode()).decode()
    assert f"\x1bPtmux;\x1b\x1b]52;c;{payload}\x07\x1b\\".encode() in app.raw
    assert f"\x1b]52;c;{payload}\x07".encode() in app.raw  # the plain one, for set-clipboard on
    shown = subprocess.run(
        ["tmux", "-S", str(tmux_socket), "show-buffer"], capture_output=True, check=True
    )
    assert shown.stdout.decode() == name
