"""The API key (configured through Settings) never reaches the screen: a screenshot of
every screen and modal, and of the error states, is grepped for it; so is everything logged
at DEBUG (httpx, httpcore, textual included) during the session.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.screen import Screen

from runloop_tui.api import ObjectsClient, RetryPolicy
from runloop_tui.config import Settings
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.modals.download import DownloadModal
from runloop_tui.tui.modals.export import ExportModal
from runloop_tui.tui.modals.presign import PresignModal
from runloop_tui.tui.modals.preview import PreviewModal
from runloop_tui.tui.modals.upload import UploadModal
from runloop_tui.tui.screens.help import HelpScreen
from tests.conftest import API_KEY
from tests.notified import notified
from tests.reliability.tuihelp import assert_alive, drain
from tests.support.fault_proxy import FaultProxy
from tests.tui.conftest import browsing, fixed_clock

POLICY = RetryPolicy(max_retries=1, timeout_seconds=5, initial_backoff_seconds=0.01)


def _leaks(text: str) -> bool:
    token = API_KEY.removeprefix("rk_")
    return API_KEY in text or token[:12] in text or token[-12:] in text


@pytest.mark.slow
async def test_no_screen_and_no_log_line_shows_the_key(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path, debug_log: io.StringIO
) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("some notes")
    for i in range(3):
        await client.upload_path(source, name=f"notes-{i}.txt", metadata={"team": "a"})
    shots: dict[str, str] = {}
    with FaultProxy(server.base_url) as proxy:
        proxy.configure()
        settings = Settings(
            base_url=proxy.base_url,
            api_key=API_KEY,
            profile="prod",
            accent="error",
            download_dir=tmp_path,
        )
        api = ObjectsClient(proxy.base_url, API_KEY, retry=POLICY)
        app = RunloopApp(settings, api, clock=fixed_clock, live_refresh=False)
        async with browsing(app, size=(140, 40), notifications=True) as (pilot, screen):
            assert len(screen.visible_objects) == 3

            async def shoot(label: str) -> None:
                await drain(app, pilot)
                shots[label] = app.export_screenshot()

            async def visit(
                label: str, *keys: str, screen_type: type[Screen[Any]] | None = None
            ) -> None:
                await pilot.press(*keys)
                await shoot(label)
                if screen_type is not None:
                    assert isinstance(app.screen, screen_type), (label, app.screen)
                await pilot.press("escape")
                await drain(app, pilot)

            await shoot("browser")
            await visit("help", "question_mark", screen_type=HelpScreen)
            await visit("upload", "u", screen_type=UploadModal)
            await visit("download", "w", screen_type=DownloadModal)
            await visit("presigned url", "y", screen_type=PresignModal)
            await visit("delete confirm", "d", screen_type=ConfirmModal)
            await visit("preview", "p", screen_type=PreviewModal)
            await visit("export", "e", screen_type=ExportModal)
            await visit("palette", "ctrl+p", screen_type=CommandPalette)
            await pilot.press("a")  # mark all shown
            await visit("bulk delete", "D", screen_type=BulkDeleteModal)
            await pilot.press("c")  # clear the marks (Esc never does)
            # Error states: a server that rejects the key and echoes it back, then a 500.
            echo = (
                f'{{"error": {{"code": "unauthorized", "message": "key Bearer {API_KEY} is bad"}}}}'
            )
            proxy.configure(match="/v1/", fail_first=100, fail_status=401, fail_body=echo)
            screen.refresh_now()
            await shoot("401 with the key echoed")
            await pilot.press("w")
            await drain(app, pilot)
            await pilot.press("enter")  # start the download: it fails (401 on the URL)
            await shoot("failed download")
            proxy.configure(match="/v1/", fail_first=100, fail_status=500)
            screen.refresh_now()
            await shoot("500")
            proxy.configure(match="/_blobs/", fail_first=100, fail_status=403)
            await pilot.press("p")
            await shoot("failed preview")
            assert_alive(app)
            notes = [f"{n.title} {n.message}" for n in notified(app)]
    assert len(shots) >= 14
    assert any("Unauthorized" in n or "401" in n for n in notes), notes
    for label, svg in shots.items():
        assert not _leaks(svg), f"the API key is on screen: {label}"
    for note in notes:
        assert not _leaks(note), note
    log = debug_log.getvalue()
    assert "httpcore" in log  # the DEBUG loggers did talk
    assert not _leaks(log), "the API key is in the DEBUG log"
