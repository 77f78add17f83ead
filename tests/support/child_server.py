"""A test server run as a real subprocess: ``python -m MODULE --port 0 …`` prints
``LISTENING <port>`` once it accepts connections, and is stopped on the way out."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

_REPO_ROOT = Path(__file__).resolve().parents[2]
_START_TIMEOUT_SECONDS = 15.0


class ClosesOnExit:
    """``with thing:`` closes it on the way out, whatever happened inside."""

    def close(self) -> None:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ChildServer(ClosesOnExit):
    """Subclasses name the module, the arguments and what to call it in errors."""

    module = ""
    what = "the server"

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> Self:
        env = {**os.environ, "PYTHONPATH": str(_REPO_ROOT)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.args],
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
            raise RuntimeError(f"{self.what} did not start (got {line!r})")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def close(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()


def serve(server: ThreadingHTTPServer) -> None:
    """The child's side of the handshake: announce the port, serve until stopped."""
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1, no request log; every method goes to ``_handle``."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _handle(self) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_GET
