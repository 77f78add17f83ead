"""Web mode fixtures: `runloop-tui web` as a real process on a free loopback port, its tabs
talking to the real local Objects API server."""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import pyte
import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY

pytest.importorskip("textual_serve", reason="web mode needs the web extra (textual-serve)")

SERVING = re.compile(r"serving on (http://[^\s,]+)")


class WebProcess:
    """`python -m runloop_tui web --port 0 ARGS`; `url` once it listens."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "runloop_tui", "web", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            start_new_session=True,
        )
        self.stdout = ""
        self.url = self._wait_for_url()

    def _wait_for_url(self, timeout: float = 30) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = SERVING.search(self.stdout)
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                break
            ready, _, _ = select.select([self.process.stdout], [], [], 0.1)
            if ready:
                self.stdout += os.read(self.process.stdout.fileno(), 4096).decode()
        self.stop()
        raise AssertionError(f"web server did not start: {self.stdout!r} {self.stderr_text()!r}")

    def stderr_text(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read().decode(errors="replace")

    def children(self) -> list[str]:
        """Command lines of the app processes the server started (Linux /proc)."""
        parents: dict[int, int] = {}
        commands: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            commands[int(entry.name)] = cmdline
        found: list[str] = []
        frontier = [self.process.pid]
        while frontier:
            pid = frontier.pop()
            for child, parent in parents.items():
                if parent == pid:
                    frontier.append(child)
                    if "-m runloop_tui" in commands[child] and " web " not in commands[child]:
                        found.append(commands[child])
        return found

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()

    def __enter__(self) -> WebProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """No developer config, state or tmux reaches the tabs."""
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TMPDIR": str(tmp_path),
        "TMUX": "",
        "DISPLAY": "",
        "WAYLAND_DISPLAY": "",
    }


@pytest.fixture
def web_for(tmp_path: Path) -> Iterator[Callable[..., WebProcess]]:
    started: list[WebProcess] = []

    def start(server: EmbeddedServer | None, *args: str) -> WebProcess:
        env = isolated_env(tmp_path)
        if server is not None:
            env |= {API_KEY_ENV: API_KEY, BASE_URL_ENV: server.base_url}
        web = WebProcess(list(args), env)
        started.append(web)
        return web

    yield start
    for web in started:
        web.stop()


class WebTerminal:
    """The browser's side of a tab, without a browser: the websocket's output fed into a
    pyte screen, and the JSON events (file deliveries...) kept aside."""

    def __init__(self, ws: ClientWebSocketResponse, cols: int, rows: int) -> None:
        self.ws = ws
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        self.events: list[list[object]] = []

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def type(self, keys: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", keys]))

    async def pump_until(self, done: Callable[[], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; the screen shows:\n{self.text}")
            try:
                message = await asyncio.wait_for(self.ws.receive(), left)
            except TimeoutError:
                continue
            if message.type == WSMsgType.BINARY:
                self.raw += message.data
                self.stream.feed(message.data)
            elif message.type == WSMsgType.TEXT:
                self.events.append(json.loads(message.data))
            else:
                raise AssertionError(f"websocket ended ({message.type}); screen:\n{self.text}")

    async def wait_for(self, wanted: str, seconds: float = 30) -> None:
        await self.pump_until(lambda: wanted in self.text, seconds)
