"""A `null` name and metadata values that are not strings (a real server process on
loopback): the TUI shows "(no name)" and JSON text (`null`, `{"x": 1}`), never Python's
`None` or a repr; `ls --format json` gives back what the server sent."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Static

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from tests.conftest import API_KEY
from tests.reliability.test_odd_listing import _app, _raw
from tests.reliability.tuihelp import assert_alive, screen_lines
from tests.scripting.conftest import run_process
from tests.support.odd_proc import OddServer
from tests.tui.conftest import browsing

ODD_METADATA: dict[str, Any] = {"a": 1, "b": None, "c": {"x": 1}, "d": "plain"}


def _page() -> dict[str, Any]:
    return {
        "objects": [
            {**_raw("obj_noname"), "name": None},
            _raw("obj_meta", name="meta-nonstr", metadata=ODD_METADATA),
            _raw("obj_ok", name="ok.txt", metadata={"d": "plain"}),
        ],
        "has_more": False,
    }


async def test_the_tui_shows_no_name_and_json_text() -> None:
    with OddServer("script", script=[_page()]) as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(160, 36)) as (pilot, screen):
            assert sorted(o.id for o in screen.visible_objects) == [
                "obj_meta",
                "obj_noname",
                "obj_ok",
            ]
            table = "\n".join(screen_lines(app))
            assert "(no name)" in table and "None" not in table
            screen.select_object("obj_noname")
            await pilot.pause()
            pane = str(screen.detail.query_one("#detail-body", Static).content)
            assert "Name     (no name)" in pane and "None" not in pane
            screen.select_object("obj_meta")
            await pilot.pause()
            pane = str(screen.detail.query_one("#detail-body", Static).content)
            assert "a = 1" in pane and "b = null" in pane and 'c = {"x": 1}' in pane
            assert "None" not in pane and "'x'" not in pane
            assert "Other fields" not in pane  # the values as sent are not listed twice
            assert_alive(app)


def test_ls_json_gives_back_what_the_server_sent() -> None:
    with OddServer("script", script=[_page()]) as odd:
        env = {BASE_URL_ENV: odd.base_url, API_KEY_ENV: API_KEY}
        done = run_process("ls", "--format", "json", env=env)
        assert done.status == 0, done.err
        rows = {row["id"]: row for row in json.loads(done.out)}
        assert rows["obj_noname"]["name"] is None
        assert rows["obj_meta"]["metadata"] == ODD_METADATA
        assert rows["obj_ok"]["metadata"] == {"d": "plain"}


async def test_an_invalid_expiry_is_said_once_without_a_ttl_bar() -> None:
    page = {
        "objects": [_raw("obj_ttl", name="ttl-bad", delete_after_time_ms=2**63 - 1)],
        "has_more": False,
    }
    with OddServer("script", script=[page]) as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(160, 36)) as (pilot, screen):
            screen.select_object("obj_ttl")
            await pilot.pause()
            pane = str(screen.detail.query_one("#detail-body", Static).content)
            assert pane.count("invalid expiry") == 1
            assert "expired" not in pane and "invalid time" not in pane
            assert "TTL" not in pane and "% used" not in pane
            assert_alive(app)
