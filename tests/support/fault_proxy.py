"""Start and steer tests/support/faulty_server.py as a real subprocess on loopback."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from tests.support.faulty_server import faults_json

_REPO_ROOT = Path(__file__).resolve().parents[2]
_START_TIMEOUT_SECONDS = 15.0


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FaultProxy:
    """``with FaultProxy(upstream) as proxy: proxy.configure(fail_first=2); proxy.base_url``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> FaultProxy:
        env = {**os.environ, "PYTHONPATH": str(_REPO_ROOT)}
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.faulty_server",
                "--port",
                "0",
                "--upstream",
                self.upstream,
            ],
            cwd=_REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], _START_TIMEOUT_SECONDS)
        line = self._process.stdout.readline() if ready else ""
        if not line.startswith("LISTENING "):
            self.close()
            raise RuntimeError(f"the fault proxy did not start (got {line!r})")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()

    def configure(self, **faults: Any) -> None:
        """Set the faults (see Faults in faulty_server.py); resets counters and the log."""
        response = httpx.post(
            f"{self.base_url}/__fault__/config", content=faults_json(**faults), timeout=5
        )
        response.raise_for_status()

    def log(self, path_contains: str = "") -> list[dict[str, Any]]:
        """Requests the proxy saw since the last configure, oldest first."""
        entries: list[dict[str, Any]] = json.loads(
            httpx.get(f"{self.base_url}/__fault__/log", timeout=5).content
        )
        return [e for e in entries if path_contains in e["path"]]
