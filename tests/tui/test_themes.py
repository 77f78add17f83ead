"""Themes (the setting, the flag, the accent on top, light-theme snapshots), and the snapshots
of the view modal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.pilot import Pilot

from runloop_tui.api.client import ObjectsClient
from runloop_tui.cli import parse_overrides
from runloop_tui.config import ConfigError, Settings, load_settings
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.actions.commands import save_current_view
from runloop_tui.tui.app import RunloopApp
from runloop_tui.views import View
from tests.conftest import API_KEY
from tests.tui.conftest import browsing, fixed_clock, quick_retry, settle
from tests.tui.snapshot_helpers import SIZES, SnapCompare, hold_still, prepare


def themed_app(base_url: str, theme: str, accent: str | None = "error") -> RunloopApp:
    settings = Settings(
        base_url=base_url, api_key=API_KEY, profile="prod", accent=accent, theme=theme
    )
    client = ObjectsClient(base_url, API_KEY, retry=quick_retry())
    return RunloopApp(settings, client, clock=fixed_clock, live_refresh=False)


def test_theme_flag_beats_config_and_profile(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[defaults]\ntheme = "nord"\n[profiles.light]\napi_key_env = "K"\ntheme = "ansi-light"\n',
        encoding="utf-8",
    )
    env = {"K": API_KEY}
    base = ["--config", str(config)]
    assert load_settings(parse_overrides(base), env).theme == "nord"
    assert load_settings(parse_overrides([*base, "--profile", "light"]), env).theme == "ansi-light"
    flagged = parse_overrides([*base, "--profile", "light", "--theme", "ansi-dark"])
    assert load_settings(flagged, env).theme == "ansi-dark"
    with pytest.raises(ConfigError, match=r"--theme: unknown theme 'ansi-lite' .*'ansi-light'"):
        load_settings(parse_overrides([*base, "--theme", "ansi-lite"]), env)


@pytest.mark.parametrize("theme", ["ansi-light", "ansi-dark", "textual-light", "nord"])
async def test_the_profile_accent_shows_in_every_theme(
    demo_server: EmbeddedServer, theme: str
) -> None:
    app = themed_app(demo_server.base_url, theme)
    async with browsing(app, size=(100, 30)) as (_, screen):
        assert app.theme == theme
        conn = screen.query_one("#header-conn")
        assert conn.has_class("accent-error")
        # The accent is the theme's own error colour, and stands out from the header.
        assert conn.styles.background == Color.parse(app.get_css_variables()["error"])
        assert conn.styles.background != screen.header.styles.background


@pytest.mark.parametrize("theme", ["ansi-light", "ansi-dark"])
async def test_marked_rows_stay_readable_in_ansi_themes(
    demo_server: EmbeddedServer, theme: str
) -> None:
    """ANSI colours cannot blend, so a marked row must not be drawn cyan on cyan."""
    app = themed_app(demo_server.base_url, theme)
    async with browsing(app, size=(100, 30)) as (pilot, screen):
        await pilot.press("space")  # marks the first row, moves to the second
        await settle(app, pilot)
        marked = screen.table.get_component_rich_style("object-table--marked")
        assert marked.color != marked.bgcolor


pytestmark = pytest.mark.usefixtures("utc")


@pytest.mark.parametrize("size", SIZES)
def test_light_theme_snapshot(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    app = themed_app(demo_server.base_url, "textual-light")
    assert snap_compare(app, terminal_size=size, run_before=prepare("j", "j", "space"))


async def _save_view_modal(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    screen = await settle(app, pilot)
    screen.set_filter("state:uploading age>1h")
    screen.set_sort("created", False)
    await settle(app, pilot)
    save_current_view(app, app, screen)
    await pilot.pause()
    await pilot.press(*"stale-uploads")
    await hold_still(app, pilot)


@pytest.mark.parametrize("size", SIZES)
def test_save_view_modal_snapshot(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    settings = Settings(
        base_url=demo_server.base_url,
        api_key=API_KEY,
        profile="staging",
        config_path=Path("/home/me/.config/runloop-tui/config.toml"),
        views={"stale-uploads": View("state:uploading", None)},
    )
    client = ObjectsClient(demo_server.base_url, API_KEY, retry=quick_retry())
    app = RunloopApp(settings, client, clock=fixed_clock, live_refresh=False)
    assert snap_compare(app, terminal_size=size, run_before=_save_view_modal)
