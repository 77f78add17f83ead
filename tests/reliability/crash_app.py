"""Run RunloopApp headless with an API key, then crash it on purpose (a real process).

``python -m tests.reliability.crash_app --base-url URL --mode action|http`` with the key
in RUNLOOP_API_KEY. Pressing "r" runs a patched refresh action that raises:

* ``action``: plain RuntimeError in a frame whose locals hold the settings and the client;
* ``http``: the action awaits a client call directly while h11 (under httpcore, under httpx)
  fails with a RuntimeError, so the traceback runs through every layer that held the
  Authorization header.

Textual then prints its crash traceback (rich, with locals) to stderr; the test greps it.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import h11

from runloop_tui.api.client import ObjectsClient, RetryPolicy
from runloop_tui.config import Settings
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.screens.browser import BrowserScreen
from tests.reliability.tuihelp import drain


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--mode", choices=["action", "http"], required=True)
    args = parser.parse_args(argv)
    settings = Settings(base_url=args.base_url, api_key=os.environ["RUNLOOP_API_KEY"])
    client = ObjectsClient(
        settings.base_url, settings.api_key, retry=RetryPolicy(max_retries=0, timeout_seconds=5)
    )

    async def crash_plain(self: BrowserScreen) -> None:
        app_settings = self.settings
        api = self.client
        raise RuntimeError(f"boom (plain) {app_settings.base_url} {api!r}")

    async def crash_in_http(self: BrowserScreen) -> None:
        def broken_send(conn: h11.Connection, event: Any) -> bytes:
            raise RuntimeError("boom (inside h11)")

        h11.Connection.send = broken_send  # type: ignore[method-assign,assignment]
        await self.client.list_objects()

    patched = crash_plain if args.mode == "action" else crash_in_http
    BrowserScreen.action_refresh_now = patched  # type: ignore[assignment]

    async def auto_pilot(pilot: Any) -> None:
        await drain(pilot.app, pilot)
        await pilot.press("r")
        await pilot.pause()

    app = RunloopApp(settings, client, live_refresh=False)
    app.run(headless=True, size=(100, 30), auto_pilot=auto_pilot)
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
