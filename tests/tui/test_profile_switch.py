"""Switching profile from the palette: a fresh browser on the other account, nothing leaks."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from runloop_tui.cli import make_client
from runloop_tui.config import CONFIG_ENV, ConfigProfiles, Overrides
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.cancel_work import CancelWorkConfirm
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.rawapi import put_object
from tests.tui.conftest import browser, browsing, fixed_clock, settle


def profiles_for(server: EmbeddedServer, tmp_path: Path) -> ConfigProfiles:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.alpha]\nbase_url = "{server.base_url}"\napi_key = "{API_KEY}"\n'
        f'[profiles.beta]\nbase_url = "{server.base_url}"\napi_key = "{OTHER_API_KEY}"\n'
        'accent = "error"\n'
    )
    os.chmod(config, 0o600)
    return ConfigProfiles(Overrides(), {CONFIG_ENV: str(config)})


def app_on(profiles: ConfigProfiles, name: str) -> RunloopApp:
    settings = profiles.settings_for(name)
    return RunloopApp(
        settings,
        make_client(settings),
        profiles=profiles,
        make_client=make_client,
        clock=fixed_clock,
        live_refresh=False,
    )


def shown_names(app: RunloopApp) -> list[str]:
    return [o.name for o in browser(app).visible_objects]


async def test_switching_from_the_palette_reconnects_and_leaks_nothing(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    put_object(server.base_url, "alpha-only.txt")
    put_object(server.base_url, "beta-only.txt", api_key=OTHER_API_KEY)
    profiles = profiles_for(server, tmp_path)
    app = app_on(profiles, "alpha")
    async with browsing(app) as (pilot, _):
        assert shown_names(app) == ["alpha-only.txt"]
        await pilot.press("space")
        old = browser(app)
        assert len(old.model.marks) == 1

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"profile beta")
        await pilot.pause(0.3)
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if browser(app) is not old:
                break
        screen = await settle(app, pilot)
        assert screen is not old
        assert shown_names(app) == ["beta-only.txt"]
        assert app.settings.profile == "beta"
        assert screen.header.text.startswith("beta |")
        assert not screen.model.marks  # the marks of the old account stay behind


async def test_switching_while_work_runs_asks_first(server: EmbeddedServer, tmp_path: Path) -> None:
    profiles = profiles_for(server, tmp_path)
    app = app_on(profiles, "alpha")
    async with browsing(app) as (pilot, _):
        app.run_worker(asyncio.sleep(30), group="upload", description="a held upload")
        app.request_profile_switch("beta")
        await pilot.pause()
        assert isinstance(app.screen, CancelWorkConfirm)
        await pilot.press("enter")  # the default: No
        await pilot.pause()
        assert app.settings.profile == "alpha"
        app.request_profile_switch("beta")
        await pilot.pause()
        await pilot.press("tab", "enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.settings.profile == "beta":
                break
        assert app.settings.profile == "beta"
        assert not [w for w in app.workers if w.group == "upload" and not w.is_finished]
