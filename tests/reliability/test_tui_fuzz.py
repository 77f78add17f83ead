"""Every modal field and the filter bar, fuzzed with hypothesis through a running app.

For each value: no exception escapes, and the form either refuses it with a message AT the
field, or hands on a value the server (and the file system) will accept. The app is started
once per test and every hypothesis example pushes a fresh modal onto it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.screen import Screen
from textual.widgets import Input, OptionList, Select, TextArea

from runloop_tui.api import ContentType, ObjectsClient
from runloop_tui.query.filter import compile_filter
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.errors import ProblemResponse
from runloop_tui.server.validation import validate_create
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from runloop_tui.tui.modals.download import DownloadModal
from runloop_tui.tui.modals.export import ExportModal
from runloop_tui.tui.modals.presign import PresignModal
from runloop_tui.tui.modals.upload import UploadModal, UploadRequest
from runloop_tui.tui.modals.validation import FieldError, expand_path
from runloop_tui.tui.screens.browser import BrowserScreen
from runloop_tui.tui.screens.help import HelpScreen
from tests.reliability.tuihelp import drain
from tests.tui.conftest import make_app

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
    modal: Screen[Any] | None = None
    results: list[object] | None = None
    crash_reported: bool = False

    @property
    def browser(self) -> BrowserScreen:
        return next(s for s in self.app.screen_stack if isinstance(s, BrowserScreen))

    def assert_alive(self) -> None:
        if self.app._exception is not None:
            self.crash_reported = True  # the fixture need not raise it a second time
            raise AssertionError(f"an exception escaped: {self.app._exception!r}")
        assert self.app.is_running and self.app.return_code is None

    async def open(self, make: Callable[[], Screen[Any]]) -> Screen[Any]:
        """The open modal, reused across examples (a screen switch costs ~0.5 s); a fresh
        one after the last was dismissed."""
        if self.modal is None or self.app.screen is not self.modal:
            self.results = []
            self.modal = make()
            self.app.push_screen(self.modal, self.results.append)
            await self.pilot.pause()
        return self.modal

    async def submit(self, selector: str, value: str) -> tuple[object, list[str]]:
        """Type ``value`` (Input.Changed fires), press Enter in the field; return the
        dismissal value (or NOT_DISMISSED) and the messages shown at fields."""
        modal = self.modal
        assert modal is not None and self.results is not None
        field = modal.query_one(selector, Input)
        field.value = value  # Input.Changed is handled before the Submitted posted next
        await field.action_submit()
        await self.pilot.pause()
        self.assert_alive()
        if self.results:
            return self.results.pop(), []
        return NOT_DISMISSED, shown_messages(modal)

    async def type_into(self, selector: str, value: str) -> tuple[bool, list[str]]:
        """Type ``value`` (Input.Changed fires, the field shows its message); return whether
        the field's validators (the ones its submit runs) accept it, and the messages shown.
        Cheaper than submitting: an accepted value would close the modal."""
        modal = self.modal
        assert modal is not None
        field = modal.query_one(selector, Input)
        field.value = value
        await self.pilot.pause()
        self.assert_alive()
        result = field.validate(value)
        return (result is None or result.is_valid), shown_messages(modal)


def shown_messages(modal: Screen[Any]) -> list[str]:
    return [str(e.content) for e in modal.query(FieldError) if e.has_class("-shown")]


@pytest.fixture
async def ui(server: EmbeddedServer, client: ObjectsClient, tmp_path: Path) -> AsyncIterator[UI]:
    source = tmp_path / "seed.txt"
    source.write_text("seed")
    await client.upload_path(source, name="seed.txt")
    app = make_app(server.base_url)
    state: UI | None = None
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await drain(app, pilot)
            state = UI(app, pilot, tmp_path, client)
            yield state
    except Exception:
        if state is None or not state.crash_reported:
            raise


def _field_message(shown: list[str]) -> None:
    assert shown and all(m.strip() for m in shown), "refused without a message at the field"


def _upload_modal(ui: UI) -> UploadModal:
    source = ui.tmp / "upload-me.txt"
    source.write_text("x")
    modal = UploadModal(str(source))
    return modal


@FUZZ
@given(name=_text, ttl=_text, key=_text, value=_text)
@example(name="a\x00b", ttl="", key="", value="")
@example(name="ok", ttl="", key="k", value="\x1b[31m")
async def test_upload_form(ui: UI, name: str, ttl: str, key: str, value: str) -> None:
    modal = await ui.open(lambda: _upload_modal(ui))
    assert isinstance(modal, UploadModal)
    if not modal.query(".md-key"):
        await modal.action_add_row()
        await ui.pilot.pause()
    modal.query_one("#name", Input).value = name
    modal.query_one("#ttl", Input).value = ttl
    modal.query_one(".md-key", Input).value = key
    modal.query_one(".md-value", Input).value = value
    await ui.pilot.pause()
    modal.action_submit()
    await ui.pilot.pause()
    ui.assert_alive()
    assert ui.results is not None
    if ui.results:
        request = ui.results.pop()
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
        except ProblemResponse as rejection:
            raise AssertionError(
                f"the form accepted what the server refuses: {rejection.message}"
            ) from None
        return
    assert shown_messages(modal), "refused without a message at the field"


@FUZZ
@given(path=_text)
@example(path="~nosuchuser_rt/x")
@example(path="~\x00/x")
@example(
    path="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
)
async def test_upload_path_field(ui: UI, path: str) -> None:
    await ui.open(UploadModal)
    accepted, shown = await ui.type_into("#path", path)
    if not accepted:
        _field_message(shown)
    else:
        assert not shown
        assert expand_path(path).exists()


def _assert_writable_target(value: str, accepted: bool, shown: list[str]) -> None:
    if not accepted:
        _field_message(shown)
        return
    assert not shown
    target = expand_path(value)
    assert target.parent.is_dir() and not target.is_dir()
    assert len(target.name.encode("utf-8", "surrogateescape")) <= 255, "name too long to save"


DESTINATION_FORMS: dict[str, Callable[[UI], Screen[Any]]] = {
    "download": lambda ui: DownloadModal(ui.browser.visible_objects[0], ui.tmp / "default.bin"),
    "export": lambda ui: ExportModal(1, 0, ui.tmp / "export.json"),
}


@FUZZ
@pytest.mark.parametrize("form", sorted(DESTINATION_FORMS))
@given(dest=_text)
@example(dest="~nosuchuser_rt/x")
@example(dest="~\x00/x")
@example(dest="x" * 300)
async def test_destination_field(ui: UI, form: str, dest: str) -> None:
    await ui.open(lambda: DESTINATION_FORMS[form](ui))
    accepted, shown = await ui.type_into("#dest", dest)
    _assert_writable_target(dest, accepted, shown)


async def test_accepted_destination_is_what_the_form_returns(ui: UI) -> None:
    """The one submission the fuzz tests skip: Enter hands on exactly the typed target."""
    obj = ui.browser.visible_objects[0]
    await ui.open(lambda: DownloadModal(obj, ui.tmp / "default.bin"))
    outcome, shown = await ui.submit("#dest", str(ui.tmp / "chosen.bin"))
    assert outcome == ui.tmp / "chosen.bin" and shown == []


@FUZZ
@given(typed=_text)
async def test_bulk_delete_count_field(ui: UI, typed: str) -> None:
    objects = list(ui.browser.visible_objects) * 3  # three rows: the count to type is 3
    await ui.open(lambda: BulkDeleteModal(objects))
    outcome, shown = await ui.submit("#count", typed)
    if typed.strip().replace(",", "") == "3":
        assert outcome is True
    else:
        assert outcome is NOT_DISMISSED
        _field_message(shown)


@FUZZ
@given(duration=_text)
async def test_presign_duration_field(ui: UI, duration: str) -> None:
    obj = ui.browser.visible_objects[0]

    async def fetch(seconds: int, on_retry: object = None) -> str:
        return await ui.client.download_url(obj.id, seconds)

    modal = await ui.open(lambda: PresignModal(obj, fetch, ui.browser.now_ms))
    assert isinstance(modal, PresignModal)
    await drain(ui.app, ui.pilot)
    before = modal.url
    await ui.submit("#duration", duration)
    await drain(ui.app, ui.pilot)
    await ui.pilot.pause()
    ui.assert_alive()
    if shown_messages(modal):
        assert modal.url == before  # a refused value fetched nothing
    else:
        assert 1 <= modal.seconds <= 7 * 24 * 3600
        assert modal.url and modal.url.startswith("http")
        assert modal.query_one("#url", TextArea).text == modal.url


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


async def test_content_type_select_offers_only_known_types(ui: UI) -> None:
    """The one field that is not free text: every choice it offers is accepted by the
    server, and every type the server knows is offered."""
    modal = await ui.open(UploadModal)
    # What the user can pick: the options of the Select's drop-down list.
    overlay = modal.query_one("#content-type", Select).query_one("SelectOverlay", OptionList)
    offered = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
    assert offered and sorted(map(str, offered)) == sorted(str(ct) for ct in ContentType)
    for value in offered:
        validate_create({"name": "n", "content_type": str(value)})


@FUZZ
@given(text=_text)
async def test_help_search_field(ui: UI, text: str) -> None:
    """Free text with no wrong answer: it only has to never raise, whatever is typed."""
    modal = await ui.open(lambda: HelpScreen(cast(Any, ui.browser)))
    field = modal.query_one("#help-search", Input)
    field.value = text
    await ui.pilot.pause()
    await field.action_submit()
    await ui.pilot.pause()
    ui.assert_alive()
    assert isinstance(ui.app.screen, HelpScreen)
