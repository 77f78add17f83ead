"""Start and steer tests/support/faulty_server.py as a real subprocess on loopback."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx

from tests.support.child_server import ChildServer
from tests.support.faulty_server import faults_json


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FaultProxy(ChildServer):
    """``with FaultProxy(upstream) as proxy: proxy.configure(fail_first=2); proxy.base_url``."""

    module = "tests.support.faulty_server"
    what = "the fault proxy"

    def __init__(self, upstream: str) -> None:
        super().__init__(["--port", "0", "--upstream", upstream])
        self.upstream = upstream

    def configure(self, **faults: Any) -> None:
        """Set the faults (see Faults in faulty_server.py); resets counters and the log."""
        response = httpx.post(
            f"{self.base_url}/__fault__/config", content=faults_json(**faults), timeout=5
        )
        response.raise_for_status()

    def hold_answer(self, match: str, method: str, seconds: float) -> None:
        """The next matching request reaches the upstream at once; its answer is held back."""
        self.configure(
            match=match,
            method=method,
            delay_first=1,
            delay_seconds=seconds,
            delay_after_upstream=True,
        )

    def log(self, path_contains: str = "") -> list[dict[str, Any]]:
        """Requests the proxy saw since the last configure, oldest first."""
        entries: list[dict[str, Any]] = json.loads(
            httpx.get(f"{self.base_url}/__fault__/log", timeout=5).content
        )
        return [e for e in entries if path_contains in e["path"]]
