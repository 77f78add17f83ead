"""Start tests/support/odd_server.py as a real subprocess on loopback (see its docstring)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

_REPO_ROOT = Path(__file__).resolve().parents[2]
_START_TIMEOUT_SECONDS = 15.0


class OddServer:
    """``with OddServer("endless") as odd: odd.base_url; odd.stats()["lists"]``."""

    def __init__(
        self,
        mode: str,
        *,
        seed: int = 0,
        responses: int = 100,
        script: list[Any] | None = None,
    ) -> None:
        self.args = [
            "--mode",
            mode,
            "--seed",
            str(seed),
            "--responses",
            str(responses),
            "--script",
            json.dumps(script or []),
        ]
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> OddServer:
        env = {**os.environ, "PYTHONPATH": str(_REPO_ROOT)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.odd_server", *self.args],
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
            raise RuntimeError(f"the odd server did not start (got {line!r})")
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

    def stats(self) -> dict[str, int]:
        data: dict[str, int] = httpx.get(f"{self.base_url}/__odd__/stats", timeout=5).json()
        return data
