"""Real server processes for fault tests: start, kill -9 and restart on the same port.

Everything runs on 127.0.0.1; every wait is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.child_server import ClosesOnExit

_REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 20.0
_POLL_SECONDS = 0.02


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:
            return False
        return True


class ServerProcess(ClosesOnExit):
    """``python -m runloop_tui.server`` as a child process on a fixed loopback port.

    ``kill()`` is a SIGKILL (no cleanup runs); ``start()`` again brings it back on the same
    port and data dir. Output goes to files in ``log_dir`` so a full pipe never blocks it.
    """

    def __init__(self, data_dir: Path, api_keys: list[str], log_dir: Path) -> None:
        self.data_dir = data_dir
        self.api_keys = api_keys
        self.log_dir = log_dir
        self.port = free_port()
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "runloop_tui.server", "--port", str(self.port)]
        cmd += ["--data-dir", str(self.data_dir), "--log-level", "warning"]
        for key in self.api_keys:
            cmd += ["--api-key", key]
        return cmd

    def start(self) -> None:
        """Start and wait (bounded) until the port accepts connections."""
        assert not self.running, "already running"
        self.starts += 1
        out = open(self.log_dir / f"server-{self.starts}.out", "wb")  # noqa: SIM115
        err = open(self.log_dir / f"server-{self.starts}.err", "wb")  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                self.command(),
                cwd=_REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        finally:
            out.close()
            err.close()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the server exited at start: {self.stderr_text()[-2000:]}")
            # The banner is printed after the socket is bound, just before uvicorn serves.
            if "serving at" in self.stdout_text() and port_accepts(self.port):
                return
            time.sleep(_POLL_SECONDS)
        self.kill()
        raise RuntimeError("the server did not start in time")

    def kill(self) -> None:
        """kill -9, and reap it."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), falling back to kill -9."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def stdout_text(self) -> str:
        return self._read(f"server-{self.starts}.out")

    def stderr_text(self) -> str:
        return "".join(self._read(f"server-{n}.err") for n in range(1, self.starts + 1))

    def _read(self, name: str) -> str:
        with contextlib.suppress(FileNotFoundError):
            return (self.log_dir / name).read_text(encoding="utf-8", errors="replace")
        return ""

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def close(self) -> None:
        self.stop()
