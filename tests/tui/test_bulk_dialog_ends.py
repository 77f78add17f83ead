"""The bulk delete's progress dialog always ends, whatever is on top of it when the deletes
finish (a quit or profile-switch question, the help screen); the palette never opens over it.

The deletes go to a real server, through a gate the test opens, so the delete ends while the
question is on screen: the race the trial hit once in five tries, made certain.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.widgets import Input

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal, BulkDeleteProgressModal
from runloop_tui.tui.modals.cancel_work import CancelWorkConfirm
from runloop_tui.tui.screens.browser import BrowserScreen
from tests.notified import notified
from tests.rawapi import put_object
from tests.tui.actions_helpers import wait_gone, wait_screen
from tests.tui.conftest import browser, browsing, settle
from tests.tui.test_profile_switch import app_on, profiles_for


async def _gated_bulk_delete(app: RunloopApp, pilot: Any, gate: asyncio.Event) -> None:
    """Mark all, D, type the count, Enter: the progress dialog up, its deletes held."""
    delete = app.client.delete_object

    async def held(object_id: str, **kwargs: Any) -> object:
        await gate.wait()
        return await delete(object_id, **kwargs)

    app.client.delete_object = held  # type: ignore[method-assign,assignment]
    count = len(browser(app).visible_objects)
    await pilot.press("a", "D")
    modal = await wait_screen(app, pilot, BulkDeleteModal)
    modal.query_one("#count", Input).value = str(count)
    await pilot.press("enter")
    await wait_screen(app, pilot, BulkDeleteProgressModal)


async def _until(pilot: Any, done: Any, rounds: int = 100) -> None:
    for _ in range(rounds):
        await pilot.pause(0.02)
        if done():
            return
    raise AssertionError("never happened")


async def test_a_delete_ending_under_the_quit_question_still_closes_its_dialog(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    for i in range(5):
        put_object(server.base_url, f"bulk-{i}.txt")
    app = app_on(profiles_for(server, tmp_path), "alpha")
    async with browsing(app, notifications=True) as (pilot, _):
        gate = asyncio.Event()
        await _gated_bulk_delete(app, pilot, gate)
        # The palette does not open over the progress dialog.
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        assert any("Close this dialog first" in n.message for n in notified(app))
        await pilot.press("ctrl+q")
        await wait_screen(app, pilot, CancelWorkConfirm)
        gate.set()  # the deletes finish while the question is open
        await _until(
            pilot,
            lambda: not [w for w in app.workers if w.group == "bulk-delete" and not w.is_finished],
        )
        await pilot.pause(0.1)
        # The question is still there (the dialog's end used to pop it instead of itself).
        assert isinstance(app.screen, CancelWorkConfirm)
        await pilot.press("enter")  # the default: keep working
        await _until(pilot, lambda: isinstance(app.screen, BrowserScreen))
        assert not any(isinstance(s, BulkDeleteProgressModal) for s in app.screen_stack)
        assert not browser(app).visible_objects


async def test_switching_profile_while_a_bulk_delete_ends_completes_the_switch(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    for i in range(5):
        put_object(server.base_url, f"bulk-{i}.txt")
    app = app_on(profiles_for(server, tmp_path), "alpha")
    async with browsing(app) as (pilot, old):
        gate = asyncio.Event()
        await _gated_bulk_delete(app, pilot, gate)
        app.request_profile_switch("beta")
        await wait_screen(app, pilot, CancelWorkConfirm)
        gate.set()
        await _until(
            pilot,
            lambda: not [w for w in app.workers if w.group == "bulk-delete" and not w.is_finished],
        )
        await pilot.pause(0.1)
        await pilot.press("tab", "enter")  # Switch and cancel
        await _until(
            pilot,
            lambda: (
                app.settings.profile == "beta"
                and isinstance(app.screen, BrowserScreen)
                and app.screen is not old
            ),
        )
        screen = await settle(app, pilot)
        assert screen.header.text.startswith("beta |")
        assert not any(
            isinstance(s, BulkDeleteProgressModal | CancelWorkConfirm) for s in app.screen_stack
        )
        assert old not in app.screen_stack


async def test_switching_profile_cancels_a_running_bulk_delete_and_its_dialog(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    for i in range(5):
        put_object(server.base_url, f"bulk-{i}.txt")
    app = app_on(profiles_for(server, tmp_path), "alpha")
    async with browsing(app) as (pilot, old):
        gate = asyncio.Event()  # never opened: the deletes are still held at the switch
        await _gated_bulk_delete(app, pilot, gate)
        app.request_profile_switch("beta")
        await wait_screen(app, pilot, CancelWorkConfirm)
        await pilot.press("tab", "enter")
        await _until(
            pilot,
            lambda: (
                app.settings.profile == "beta"
                and isinstance(app.screen, BrowserScreen)
                and app.screen is not old
            ),
        )
        assert not any(isinstance(s, BulkDeleteProgressModal) for s in app.screen_stack)
        assert old not in app.screen_stack
        await wait_gone(app, pilot, CancelWorkConfirm)
