"""Every modal field and the filter bar, fuzzed with hypothesis through a running app.

For each value: no exception escapes, and the form either refuses it with a message AT the
field, or hands on a value the server (and the file system) will accept. The app is started
once per test and every hypothesis example pushes a fresh modal onto it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

from runloop_tui.api import ContentType, ObjectsClient
from runloop_tui.query.filter import compile_filter
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.errors import ApiError as ServerRejection
from runloop_tui.server.validation import validate_create
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from runloop_tui.tui.modals.download import DownloadModal
from runloop_tui.tui.modals.export import ExportModal
from runloop_tui.tui.modals.presign import PresignModal
from runloop_tui.tui.modals.upload import UploadModal, UploadRequest
from runloop_tui.tui.modals.validation import FieldError
from runloop_tui.tui.screens.browser import BrowserScreen
from tests.tui.conftest import make_app, settle

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NOT_DISMISSED = object()

_weird = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "~",
        "~/",
        "~nosuchuser_rt/x",
        "~\x00/x",
        "\x00",
        "a\x00b",
        "/",
        "/dev/null",
        "/proc",
        "/nonexistent/dir/file",
        "..",
        "../../../../etc/passwd",
        "x" * 300,
        "/tmp/" + "y" * 300,
        "\x1b[31mred\x1b]0;title\x07",
        "[bold red]x[/]",
        "[@click=app.quit]x[/]",
        "[/]",
        "0",
        "-1",
        "1e309",
        "nan",
        "9" * 50,
        "30m",
        "7d",
        "8d",
        "1s",
        "0s",
        "100y",
        "101y",
        "2h30m",
        "1,000",
        "ΔΩ名前",
        "\u202eevil",
    ]
)
_text = st.one_of(_weird, st.text(max_size=40), st.text(alphabet="~/.ab\x00 ", max_size=12))


@dataclass
class UI:
    app: RunloopApp
    pilot: Any
    tmp: Path
    client: ObjectsClient

    @property
    def browser(self) -> BrowserScreen:
        return next(s for s in self.app.screen_stack if isinstance(s, BrowserScreen))

    def assert_alive(self) -> None:
        assert self.app._exception is None, f"an exception escaped: {self.app._exception!r}"
        assert self.app.is_running and self.app.return_code is None


@pytest.fixture
async def ui(server: EmbeddedServer, client: ObjectsClient, tmp_path: Path) -> AsyncIterator[UI]:
    source = tmp_path / "seed.txt"
    source.write_text("seed")
    await client.upload_path(source, name="seed.txt")
    app = make_app(server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        yield UI(app, pilot, tmp_path, client)


async def _fill_and_submit(
    ui: UI, modal: ModalScreen[Any], values: dict[str, str], submit_key: str, focus: str
) -> tuple[object, list[str]]:
    """Push ``modal``, set the fields (Input.Changed fires), submit; return the dismissal
    value (or NOT_DISMISSED) and the messages shown at fields."""
    results: list[object] = []
    ui.app.push_screen(modal, results.append)
    await ui.pilot.pause()
    for selector, value in values.items():
        modal.query_one(selector, Input).value = value
        await ui.pilot.pause()
    modal.query_one(focus, Input).focus()
    await ui.pilot.press(submit_key)
    await ui.pilot.pause()
    ui.assert_alive()
    if results:
        return results[0], []
    shown = [str(e.content) for e in modal.query(FieldError) if e.has_class("-shown")]
    modal.dismiss(None)
    await ui.pilot.pause()
    return NOT_DISMISSED, shown


def _field_message(shown: list[str]) -> None:
    assert shown and all(m.strip() for m in shown), "refused without a message at the field"


@FUZZ
@given(name=_text, ttl=_text, key=_text, value=_text)
async def test_upload_form(ui: UI, name: str, ttl: str, key: str, value: str) -> None:
    source = ui.tmp / "upload-me.txt"
    source.write_text("x")
    modal = UploadModal(str(source))
    results: list[object] = []
    ui.app.push_screen(modal, results.append)
    await ui.pilot.pause()
    modal.action_add_row()
    await ui.pilot.pause()
    modal.query_one("#name", Input).value = name
    modal.query_one("#ttl", Input).value = ttl
    modal.query_one(".md-key", Input).value = key
    modal.query_one(".md-value", Input).value = value
    await ui.pilot.pause()
    await ui.pilot.press("ctrl+s")
    await ui.pilot.pause()
    ui.assert_alive()
    if results:
        request = results[0]
        assert isinstance(request, UploadRequest)
        try:
            validate_create(
                {
                    "name": request.name,
                    "content_type": str(request.content_type),
                    "metadata": request.metadata or None,
                    "ttl_ms": request.ttl_ms,
                }
            )
        except ServerRejection as rejection:
            raise AssertionError(
                f"the form accepted what the server refuses: {rejection.message}"
            ) from None
        return
    shown = [str(e.content) for e in modal.query(FieldError) if e.has_class("-shown")]
    notified = [n.message for n in ui.app._notifications]
    assert shown or any("metadata" in m for m in notified), "refused without saying why"
    modal.dismiss(None)
    await ui.pilot.pause()


@FUZZ
@given(path=_text)
async def test_upload_path_field(ui: UI, path: str) -> None:
    outcome, shown = await _fill_and_submit(ui, UploadModal(), {"#path": path}, "enter", "#path")
    if outcome is NOT_DISMISSED:
        _field_message(shown)
    else:
        assert isinstance(outcome, UploadRequest) and outcome.path.exists()


def _assert_writable_target(outcome: object, shown: list[str]) -> None:
    if outcome is NOT_DISMISSED:
        _field_message(shown)
        return
    assert isinstance(outcome, Path)
    assert outcome.parent.is_dir() and not outcome.is_dir()
    assert len(outcome.name.encode("utf-8", "surrogateescape")) <= 255, "name too long to save"


@FUZZ
@given(dest=_text)
async def test_download_destination_field(ui: UI, dest: str) -> None:
    obj = ui.browser.visible_objects[0]
    modal = DownloadModal(obj, ui.tmp / "default.bin")
    outcome, shown = await _fill_and_submit(ui, modal, {"#dest": dest}, "enter", "#dest")
    _assert_writable_target(outcome, shown)


@FUZZ
@given(dest=_text)
async def test_export_destination_field(ui: UI, dest: str) -> None:
    modal = ExportModal(1, 0, ui.tmp / "export.json")
    outcome, shown = await _fill_and_submit(ui, modal, {"#dest": dest}, "enter", "#dest")
    if outcome is NOT_DISMISSED:
        _field_message(shown)
    else:
        _assert_writable_target(outcome.path, [])  # type: ignore[attr-defined]


@FUZZ
@given(typed=_text)
async def test_bulk_delete_count_field(ui: UI, typed: str) -> None:
    objects = list(ui.browser.visible_objects) * 3  # three rows: the count to type is 3
    outcome, shown = await _fill_and_submit(
        ui, BulkDeleteModal(objects), {"#count": typed}, "enter", "#count"
    )
    if typed.strip().replace(",", "") == "3":
        assert outcome is True
    else:
        assert outcome is NOT_DISMISSED
        _field_message(shown)


@FUZZ
@given(duration=_text)
async def test_presign_duration_field(ui: UI, duration: str) -> None:
    obj = ui.browser.visible_objects[0]

    async def fetch(seconds: int) -> str:
        return await ui.client.download_url(obj.id, seconds)

    modal = PresignModal(obj, fetch, ui.browser.now_ms)
    ui.app.push_screen(modal)
    await ui.pilot.pause()
    await ui.app.workers.wait_for_complete()
    first_url = modal.url
    field = modal.query_one("#duration", Input)
    field.value = duration
    field.focus()
    await ui.pilot.press("enter")
    await ui.pilot.pause()
    await ui.app.workers.wait_for_complete()
    await ui.pilot.pause()
    ui.assert_alive()
    shown = [str(e.content) for e in modal.query(FieldError) if e.has_class("-shown")]
    if shown:
        assert modal.url == first_url  # a refused value never fetched anything
    else:
        assert 1 <= modal.seconds <= 7 * 24 * 3600
        assert modal.url and modal.url.startswith("http")
        assert modal.query_one("#url", TextArea).text == modal.url
    modal.dismiss(None)
    await ui.pilot.pause()


@FUZZ
@given(text=st.one_of(_text, st.text(alphabet="a:<>=!~*\"' ,()-.[]0123456789kKmMbB", max_size=30)))
async def test_filter_bar(ui: UI, text: str) -> None:
    screen = ui.browser
    # Through the widget: typing fires Input.Changed and the debounced filter.
    screen.filter_bar.input.value = text
    await ui.pilot.pause()
    # ...and applied at once, as Enter does.
    screen.set_filter(text)
    await ui.pilot.pause()
    ui.assert_alive()
    errors = compile_filter(text).errors
    bar = screen.filter_bar
    assert bar.has_class("-invalid") == bool(errors)
    if errors:
        assert bar.error_text.strip(), "an invalid filter without a message at the bar"
    screen.set_filter("")
    await ui.pilot.pause()


async def test_content_type_select_offers_only_known_types(ui: UI) -> None:
    """The one field that is not free text: every choice is accepted by the server."""
    for content_type in ContentType:
        validate_create({"name": "n", "content_type": str(content_type)})
