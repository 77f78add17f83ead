"""What the launch loads before the first rows are on screen (issue 16, bench figure 9).

The app runs in a real pty against the real local server, as a user starts it with
``RUNLOOP_BASE_URL`` set; a probe (tests/support/first_rows_probe.py) records the modules the
process holds when it paints its first object row. Nothing here is timed: the test fails
when a module the first screen does not need is imported on the way to it again (the
local server, the modals, the palette's providers, the scripting and web packages...), or
when the start-up's pause of the cyclic garbage collector is not lifted. The HTTP stack is
among the modules not needed: the first page comes from the prefetch child.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.rawapi import put_object
from tests.support.terminal import Terminal

pytestmark = pytest.mark.timeout(90)

REPO_ROOT = Path(__file__).resolve().parents[2]

# Not needed to paint the first rows of a remote store; each was measured on that path once.
NOT_AT_FIRST_ROWS = (
    # the local server and its stack (RUNLOOP_BASE_URL is set: nothing to serve)
    "runloop_tui.server",
    "uvicorn",
    "starlette",
    "sqlite3",
    # other entry points
    "runloop_tui.scripting",
    "runloop_tui.web",
    "textual_serve",
    # screens, modals and panels opened later
    "runloop_tui.tui.screens.help",
    "runloop_tui.tui.screens.usage",
    "runloop_tui.tui.modals.upload",
    "runloop_tui.tui.modals.presign",
    "runloop_tui.tui.modals.bulk_delete",
    "runloop_tui.tui.modals.export",
    "runloop_tui.tui.modals.preview",
    "runloop_tui.tui.widgets.transfers",
    "runloop_tui.tui.modals.confirm",
    # the object actions (made when first used) and what only they need
    "runloop_tui.tui.actions.deletes",
    "runloop_tui.tui.actions.exporting",
    "runloop_tui.tui.actions.share",
    "runloop_tui.tui.actions.transfer_runner",
    "runloop_tui.tui.clipboard",
    "runloop_tui.tui.web_delivery",
    # the palette's providers (loaded when it opens)
    "runloop_tui.tui.commands",
    "runloop_tui.tui.actions.commands",
    "runloop_tui.tui.profile_switch",
    # what only an action uses: previews, exports, directory uploads, saving a view,
    # the system clipboard; and a config file (there is none here)
    "runloop_tui.preview",
    "runloop_tui.export",
    "csv",
    "tarfile",
    "tomlkit",
    "tomllib",
    "pyperclip",
    # the HTTP stack: the first page comes from the prefetch child (api/prefetch.py), and
    # the stack loads with the second request, after the first rows are painted
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    # httpx's command-line tool and what it drags in (cli._run_app keeps it out)
    "click",
    "pygments",
    "rich.syntax",
    "rich.progress",
)


def _loaded(modules: list[str], name: str) -> list[str]:
    return [m for m in modules if m == name or m.startswith(name + ".")]


def test_the_first_rows_need_none_of_the_heavy_modules(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    for i in range(3):
        put_object(server.base_url, f"launch-probe-{i}.txt")
    report = tmp_path / "report.json"
    env = {
        BASE_URL_ENV: server.base_url,
        API_KEY_ENV: API_KEY,
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(REPO_ROOT),
    }
    argv = [sys.executable, "-m", "tests.support.first_rows_probe", str(report)]
    with Terminal(argv, size=(120, 36), env=env, cwd=REPO_ROOT, unset=[CONFIG_ENV]) as term:
        term.wait_for("launch-probe-2.txt", timeout=30)
        term.write("q")
        assert term.wait_exit(timeout=20) == 0, term.tail()
    found = json.loads(report.read_text())
    modules: list[str] = found["modules_at_first_rows"]
    # The probe saw the real start: the TUI and the API client were loaded by then.
    assert "runloop_tui.tui.app" in modules and "runloop_tui.api.client" in modules
    assert found["children_at_first_rows"] == []
    loaded = {name: _loaded(modules, name) for name in NOT_AT_FIRST_ROWS}
    assert {name: hits for name, hits in loaded.items() if hits} == {}
    # The collector was paused while the TUI was imported, and runs again afterwards.
    assert found["gc_enabled_at_tui_import"] is False
    assert found["gc_enabled_at_exit"] is True
