"""Start tests/support/odd_server.py as a real subprocess on loopback (see its docstring)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.child_server import ChildServer


class OddServer(ChildServer):
    """``with OddServer("endless") as odd: odd.base_url; odd.stats()["lists"]``."""

    module = "tests.support.odd_server"
    what = "the odd server"

    def __init__(
        self,
        mode: str,
        *,
        seed: int = 0,
        responses: int = 100,
        script: list[Any] | None = None,
        write_error: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            [
                "--mode",
                mode,
                "--seed",
                str(seed),
                "--responses",
                str(responses),
                "--script",
                json.dumps(script or []),
                "--write-error",
                json.dumps(write_error),
            ]
        )

    def stats(self) -> dict[str, int]:
        data: dict[str, int] = httpx.get(f"{self.base_url}/__odd__/stats", timeout=5).json()
        return data
