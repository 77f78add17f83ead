"""Opening straight into a view, and the filter bar's history (↑/↓, kept across sessions)."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import Settings
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.save_view import SaveViewModal
from runloop_tui.tui.screens.help import HelpScreen
from runloop_tui.tui.widgets.filter_history import FilterHistory
from runloop_tui.views import View
from tests.conftest import API_KEY
from tests.notified import notified
from tests.support.terminal import Terminal, runloop_tui_argv
from tests.tui.actions_helpers import wait_gone, wait_screen
from tests.tui.conftest import browsing, drain, fixed_clock, quick_retry, settle


def app_with(base_url: str, **settings: object) -> RunloopApp:
    config = Settings(base_url=base_url, api_key=API_KEY, **settings)  # type: ignore[arg-type]
    client = ObjectsClient(base_url, API_KEY, retry=quick_retry())
    return RunloopApp(config, client, clock=fixed_clock, live_refresh=False)


async def test_the_app_opens_in_the_start_view(demo_server: EmbeddedServer) -> None:
    app = app_with(demo_server.base_url, start_view=View("type:tgz", ("size", True)))
    async with browsing(app) as (_, screen):
        assert screen.filter_bar.text == "type:tgz"
        rows = screen.visible_objects
        assert rows and all(str(obj.content_type) == "tgz" for obj in rows)
        sizes = [obj.size_bytes or 0 for obj in rows]
        assert sizes == sorted(sizes, reverse=True)
        assert screen.current_view == ("type:tgz", ("size", True))
        assert screen.table.has_focus  # the table, not the filter: keys act on rows


async def test_history_walks_back_and_forth_and_persists(
    demo_server: EmbeddedServer, tmp_path: Path
) -> None:
    app = app_with(demo_server.base_url, state_dir=tmp_path)
    async with browsing(app, size=(100, 30)) as (pilot, screen):
        for text in ("type:tgz", "state:error", "age>7d"):
            await pilot.press("slash", "ctrl+u", *text, "enter")
            await settle(app, pilot)
        await pilot.press("slash", "ctrl+u", *"draft")
        await pilot.press("up")
        await settle(app, pilot)
        assert screen.filter_bar.text == "age>7d"
        assert screen.model.filter.text == "age>7d"  # applied while walking
        await pilot.press("up", "up", "up")  # past the oldest: stays there (and rings)
        assert screen.filter_bar.text == "type:tgz"
        await pilot.press("down")
        assert screen.filter_bar.text == "state:error"
        await pilot.press("down", "down")
        assert screen.filter_bar.text == "draft"  # back to what was being typed
        # Recalling an older filter and submitting it makes it the newest.
        await pilot.press("up", "up", "enter")  # state:error
        await settle(app, pilot)
    saved = json.loads((tmp_path / "filter-history.json").read_text(encoding="utf-8"))
    assert saved == ["type:tgz", "age>7d", "state:error"]
    # The next session starts with it.
    again = app_with(demo_server.base_url, state_dir=tmp_path)
    async with browsing(again, size=(100, 30)) as (pilot, screen):
        await pilot.press("slash", "up")
        assert screen.filter_bar.text == "state:error"


def test_history_is_capped_and_survives_a_broken_file(tmp_path: Path) -> None:
    history = FilterHistory(tmp_path, cap=3)
    for text in ("a", "b", "c", "d", "b", "", "x\x1b[31m"):
        history.add(text)
    assert history.entries == ["c", "d", "b"]
    assert FilterHistory(tmp_path, cap=3).entries == ["c", "d", "b"]
    (tmp_path / "filter-history.json").write_text('{"not": "a list"}')
    assert FilterHistory(tmp_path).entries == []
    (tmp_path / "filter-history.json").write_text('["ok", 3, null, "bad\\u0007", "fine"]')
    assert FilterHistory(tmp_path).entries == ["ok", "fine"]
    (tmp_path / "filter-history.json").write_bytes(b"\xff\xfe garbage")
    assert FilterHistory(tmp_path).entries == []


needs_pty = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@needs_pty
def test_a_burst_after_slash_lands_in_the_filter_and_after_tab_on_the_table() -> None:
    """Keys arrive in bursts over SSH: `/hello` in one read must all be filter text, and
    after Tab the next keys act on the table (`e` would open the export dialog)."""
    state = tempfile.mkdtemp()
    env = {"TMPDIR": state, "XDG_STATE_HOME": state, "XDG_CONFIG_HOME": state}
    with Terminal(runloop_tui_argv("--demo"), size=(100, 30), env=env) as app:
        app.wait_for("READ_ONLY", timeout=60)
        app.write(b"/zzqq")
        app.wait_for("zzqq", timeout=60)
        app.wait_for("No object matches", timeout=60)
        app.write(b"\x15type:tgz\te")  # ctrl+u clears the filter (Esc+key would read as alt)
        app.wait_for("Export", timeout=60)
        assert "type:tgze" not in app.text()


async def _palette_prompts(app: RunloopApp, pilot: Any, at_least: int) -> list[str]:
    palette = await wait_screen(app, pilot, CommandPalette)
    options = palette.query_one(OptionList)
    for _ in range(200):  # the palette gathers in the background
        await pilot.pause()
        if options.option_count >= at_least:
            break
    await pilot.pause(0.3)  # the last batch
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_palette_opens_on_views_and_saves_the_current_one(
    demo_server: EmbeddedServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# my views\n[views.old]\nsort = "name"   # A to Z\n', encoding="utf-8")
    app = app_with(
        demo_server.base_url, config_path=config, views={"old": View("", ("name", False))}
    )
    async with browsing(app) as (pilot, screen):
        await pilot.press("ctrl+p")
        prompts = await _palette_prompts(app, pilot, at_least=10)
        titles = [p.split("  ")[0] for p in prompts[:7]]
        assert titles == [
            "Cleanup: stale uploads (UPLOADING over 1 h)",
            "Cleanup: errored",
            "Cleanup: expired or expiring within 24 h",
            "Cleanup: largest first",
            "Cleanup: older than 30 days",
            "View: old",
            "Save current view as…",
        ]
        await pilot.press("escape")
        await wait_gone(app, pilot, CommandPalette)
        screen.set_filter("type:tgz")
        screen.set_sort("size", True)
        await pilot.press("ctrl+p", *"save current")
        await _palette_prompts(app, pilot, at_least=1)
        await pilot.press("enter")
        await wait_screen(app, pilot, SaveViewModal)
        await pilot.press(*"bad name")
        await pilot.press("enter")
        assert isinstance(app.screen, SaveViewModal)  # refused, with the reason under it
        await pilot.press(*["backspace"] * 8, *"tgz-big", "enter")
        await wait_gone(app, pilot, SaveViewModal)
        await drain(app, pilot)
        assert app.saved_views["tgz-big"] == View("type:tgz", ("size", True))
        assert any("Saved view 'tgz-big'" in n.message for n in notified(app))
    text = config.read_text(encoding="utf-8")
    assert text.startswith('# my views\n[views.old]\nsort = "name"   # A to Z\n')
    assert '[views.tgz-big]\nfilter = "type:tgz"\nsort = "-size"\n' in text


async def test_help_mentions_the_palette_and_the_views(demo_server: EmbeddedServer) -> None:
    app = app_with(demo_server.base_url, views={"mine": View("type:tgz", ("size", True))})
    async with browsing(app) as (pilot, _):
        await pilot.press("question_mark")
        help_screen = await wait_screen(app, pilot, HelpScreen)
        await pilot.press(*"clean")
        await pilot.pause()
        shown = help_screen.shown_text
        assert "Cleanup: stale uploads" in shown and "Cleanup: largest first" in shown
        await pilot.press(*["backspace"] * 5, *"palette")
        await pilot.pause()
        assert "ctrl+p" in help_screen.shown_text
        await pilot.press(*["backspace"] * 7, *"view")
        await pilot.pause()
        assert "--view mine" in help_screen.shown_text
        assert "Previous filter" in help_screen.shown_text or "up" in help_screen.shown_text


@needs_pty
def test_a_burst_after_question_mark_searches_help() -> None:
    state = tempfile.mkdtemp()
    env = {"TMPDIR": state, "XDG_STATE_HOME": state, "XDG_CONFIG_HOME": state}
    with Terminal(runloop_tui_argv("--demo"), size=(100, 30), env=env) as app:
        app.wait_for("READ_ONLY", timeout=60)
        app.write(b"?clean")
        # The whole burst is the search (`e` did not open the export dialog): the field
        # fills key by key, so wait for all of it, then for the rows it selects.
        app.wait_for(lambda text: re.search(r"▊\s*clean\s*▎", text) is not None, timeout=60)
        app.wait_for("Cleanup: stale uploads", timeout=60)
        app.wait_for("largest first", timeout=60)
        shown = app.wait_quiet()
        assert re.search(r"▊\s*clean\s*▎", shown), shown
        # ...and only matching rows are listed.
        assert "Views and the palette" in shown and "General" not in shown
