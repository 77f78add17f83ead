"""Presigned URLs and the clipboard, downloads (overwrite, cancel, broken server) and preview."""

from __future__ import annotations

import io
import shlex
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from textual.widgets import Button, Input, Static, TextArea

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ContentType, ObjectView
from runloop_tui.preview import PreviewKind
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui import clipboard
from runloop_tui.tui.actions.naming import download_file_name, safe_basename
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.modals.download import DownloadModal
from runloop_tui.tui.modals.presign import PresignModal, curl_command, ttl_warning
from runloop_tui.tui.modals.preview import PreviewModal
from runloop_tui.tui.screens.browser import BrowserScreen
from runloop_tui.tui.widgets.transfers import TransfersPanel, TransferState
from tests.notified import notified
from tests.support.fault_proxy import FaultProxy
from tests.support.uploads import upload_random
from tests.tui.actions_helpers import SAMPLES, upload_samples, wait_gone, wait_screen
from tests.tui.conftest import browsing, drain, make_app, settle

# Linux: /proc, where no file can be created, even by root.
HAS_PROC = Path("/proc/self").is_dir()


@pytest.fixture(autouse=True)
def _no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clipboard, "SYSTEM_CLIPBOARD_ENABLED", False)


async def _open_on(app: RunloopApp, pilot: object, obj: ObjectView) -> BrowserScreen:
    screen = await settle(app, pilot)
    screen.select_object(obj.id)
    await drain(app, pilot)
    assert screen.selected_object is not None and screen.selected_object.id == obj.id
    return screen


async def test_presigned_url_copy_and_curl(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    objs = await upload_samples(client, tmp_path)
    target = objs["notes/readme.md"]
    app = make_app(server.base_url)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _open_on(app, pilot, target)
        await pilot.press("y")
        modal = await wait_screen(app, pilot, PresignModal)
        await drain(app, pilot)
        assert modal.seconds == 3600
        url = modal.query_one("#url", TextArea).text
        assert url.startswith("http") and modal.url == url
        assert modal.query_one("#curl", TextArea).text == f"curl -fL -o readme.md '{url}'"
        await pilot.press("ctrl+u")
        assert app.clipboard == url
        assert any(n.message == "Copied download URL (valid 1h) via OSC 52" for n in notified(app))
        await pilot.press("ctrl+k")
        assert app.clipboard == f"curl -fL -o readme.md {shlex.quote(url)}"
        # The URL really downloads the object, with no key.
        async with httpx.AsyncClient() as plain:
            assert (await plain.get(url)).content == SAMPLES["notes/readme.md"][0]
        # A preset changes the validity; a typed duration is validated at the field.
        await pilot.click("#preset-7d")
        await drain(app, pilot)
        assert modal.seconds == 7 * 86400 and modal.url is not None and modal.url != url
        field = modal.query_one("#duration", Input)
        field.value = "8d"
        await pilot.pause()
        assert "between 1 second and 7 days" in str(modal.query_one("#duration-error").render())
        field.value = "90m"
        field.focus()
        await pilot.press("enter")
        await drain(app, pilot)
        assert modal.seconds == 5400
        # ←/→ step through the presets from the buttons (from 90m: the nearest one that way).
        assert isinstance(app.focused, Button) and app.focused.id == "copy-url"
        await pilot.press("right")
        await drain(app, pilot)
        assert modal.seconds == 86400 and modal.url is not None
        assert "-chosen" in modal.query_one("#preset-24h").classes
        await pilot.press("left", "left", "left")
        await drain(app, pilot)
        assert modal.seconds == 900 and modal.url is not None
        assert modal.query_one("#url", TextArea).text == modal.url
        assert not any(url in n.message for n in notified(app))  # never echoed
        await pilot.press("escape")
        await wait_gone(app, pilot, PresignModal)
        # Separate keys copy the id and the name.
        await pilot.press("I")
        assert app.clipboard == target.id
        await pilot.press("N")
        assert app.clipboard == target.name


def test_ttl_warning_and_quoting() -> None:
    obj = ObjectView(
        id="obj_x",
        name="a b'c.txt",
        state="READ_ONLY",  # type: ignore[arg-type]
        content_type=ContentType.TEXT,
        create_time_ms=0,
        delete_after_time_ms=2 * 3600 * 1000,
    )
    assert ttl_warning(obj, 3600, now_ms=0) is None
    warning = ttl_warning(obj, 86400, now_ms=0)
    assert warning is not None and "expires in 2h" in warning
    assert "already expired" in (ttl_warning(obj, 60, now_ms=3 * 3600 * 1000) or "")
    assert curl_command("a b'c.txt", "http://h/x?a=1&b=2") == (
        "curl -fL -o 'a b'\"'\"'c.txt' 'http://h/x?a=1&b=2'"
    )


def test_clipboard_environment_rules() -> None:
    assert not clipboard.has_local_clipboard(
        {"SSH_CONNECTION": "1 2 3 4", "DISPLAY": ":0"}, "linux"
    )
    assert clipboard.has_local_clipboard({"DISPLAY": ":0"}, "linux")
    assert not clipboard.has_local_clipboard({}, "linux")
    assert clipboard.has_local_clipboard({}, "darwin")
    assert clipboard.prefers_system_clipboard({"TERM_PROGRAM": "Apple_Terminal"})


def test_download_names_are_safe() -> None:
    assert safe_basename("../../etc/passwd", "obj_1") == "passwd"
    assert safe_basename("dir/", "obj_1") == "dir"
    assert safe_basename("..", "obj_1") == "obj_1"
    assert safe_basename("a\x1b[31mred\x07.txt", "obj_1") == "a_[31mred_.txt"
    assert safe_basename("C:\\Users\\x\\evil.bat", "obj_1") == "evil.bat"
    assert safe_basename(".bashrc", "obj_1") == "bashrc"
    assert download_file_name("bundle", "tgz", "o") == "bundle.tar.gz"
    assert download_file_name("log", "gzip", "o") == "log.gz"
    assert download_file_name("archive", "tar", "o") == "archive.tar"
    assert download_file_name("notes", "text", "o") == "notes.txt"
    assert download_file_name("data.csv", "text", "o") == "data.csv"
    assert download_file_name("blob", "binary", "o") == "blob"


async def test_download_prompt_overwrite_and_content(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    objs = await upload_samples(client, tmp_path)
    target = objs["logs/app.log.gz"]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    app = make_app(server.base_url)
    app.settings = replace(app.settings, download_dir=downloads)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_on(app, pilot, target)
        await pilot.press("w")
        modal = await wait_screen(app, pilot, DownloadModal)
        dest = modal.query_one("#dest", Input)
        assert dest.value == str(downloads / "app.log.gz")
        await pilot.press("enter")
        await wait_gone(app, pilot, DownloadModal)
        await drain(app, pilot)
        saved = downloads / "app.log.gz"
        assert saved.read_bytes() == SAMPLES["logs/app.log.gz"][0]
        # Again: the file exists, so we are asked, and the default (Enter) keeps it.
        saved.write_bytes(b"mine")
        await pilot.press("w")
        await wait_screen(app, pilot, DownloadModal)
        await pilot.press("enter")
        confirm = await wait_screen(app, pilot, ConfirmModal)
        assert app.focused is confirm.query_one("#no", Button)
        await pilot.press("enter")
        await wait_gone(app, pilot, ConfirmModal)
        await drain(app, pilot)
        assert saved.read_bytes() == b"mine"
        # And choosing Replace replaces it.
        await pilot.press("w")
        await wait_screen(app, pilot, DownloadModal)
        await pilot.press("enter")
        await wait_screen(app, pilot, ConfirmModal)
        await pilot.press("tab", "enter")
        await wait_gone(app, pilot, ConfirmModal)
        await drain(app, pilot)
        assert saved.read_bytes() == SAMPLES["logs/app.log.gz"][0]
        panel = screen.query_one(TransfersPanel)
        assert [t.state for t in panel.transfers] == [TransferState.DONE, TransferState.DONE]
        # A folder that does not exist is refused at the field.
        await pilot.press("w")
        modal = await wait_screen(app, pilot, DownloadModal)
        modal.query_one("#dest", Input).value = str(tmp_path / "nope" / "x")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DownloadModal)
        assert "does not exist" in str(modal.query_one("#dest-error").render())
        # A folder no file can be made in (even as root) is refused on submit, before
        # anything is downloaded.
        if HAS_PROC:
            modal.query_one("#dest", Input).value = "/proc/x.tgz"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DownloadModal)
            assert "Cannot write in /proc" in str(modal.query_one("#dest-error").render())
        await pilot.press("escape")
    assert sorted(p.name for p in downloads.iterdir()) == ["app.log.gz"]


async def _download_through(
    base_url: str, obj: ObjectView, dest: Path, on_first_chunk: object
) -> TransfersPanel:
    app = make_app(base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_on(app, pilot, obj)
        panel = screen.transfers_panel
        original = panel.progress_callback

        def hooked(transfer):  # type: ignore[no-untyped-def]
            inner = original(transfer)
            fired = False

            def progress(done: int, total: int | None) -> None:
                nonlocal fired
                inner(done, total)
                if done > 0 and not fired:
                    fired = True
                    on_first_chunk(panel)  # type: ignore[operator]

            return progress

        panel.progress_callback = hooked  # type: ignore[method-assign]
        screen.transfers.run_download(obj, dest, False)
        await drain(app, pilot)
        return panel


async def test_cancelled_download_leaves_no_file(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    obj, out = await upload_random(client, tmp_path, 16 * 1024 * 1024)

    def cancel(panel: TransfersPanel) -> None:
        panel.focus()
        panel.action_cancel_transfer()  # what `x` on the panel does

    panel = await _download_through(server.base_url, obj, out / "big.bin", cancel)
    assert [t.state for t in panel.transfers] == [TransferState.CANCELLED]
    assert list(out.iterdir()) == []


async def test_server_stopping_mid_download_leaves_no_file(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    obj, out = await upload_random(client, tmp_path, 32 * 1024 * 1024)
    with FaultProxy(server.base_url) as proxy:

        def stop_server(panel: TransfersPanel) -> None:
            proxy.close()  # the process serving the bytes dies mid-body

        panel = await _download_through(proxy.base_url, obj, out / "big.bin", stop_server)
    assert [t.state for t in panel.transfers] == [TransferState.FAILED]
    assert "Network error" in (panel.transfers[0].error or "")
    assert list(out.iterdir()) == []


PREVIEW_CASES = [
    ("notes/readme.md", PreviewKind.TEXT, "markdown", "p"),
    ("logs/app.log.gz", PreviewKind.TEXT, "WARN disk 91%", "enter"),
    ("bundle.tar", PreviewKind.TAR, "b/c.bin", "p"),
    ("bundle.tar.gz", PreviewKind.TAR, "y.txt", "enter"),
    ("blob.bin", PreviewKind.HEX, "000000  ", "p"),
]


async def test_preview_by_type(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    objs = await upload_samples(client, tmp_path)
    app = make_app(server.base_url)
    async with browsing(app) as (pilot, screen):
        for name, kind, needle, key in PREVIEW_CASES:
            screen.select_object(objs[name].id)
            await drain(app, pilot)
            await pilot.press(key)
            modal = await wait_screen(app, pilot, PreviewModal, rounds=100)
            assert modal.preview.kind is kind, name
            assert needle in _body_text(modal), name
            await pilot.press("escape")
            await wait_gone(app, pilot, PreviewModal)


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / f"src-{len(list(tmp_path.iterdir()))}"
    path.write_bytes(data)
    return path


def _body_text(modal: PreviewModal) -> str:
    """What the preview body shows, as plain text."""
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(modal.query_one("#body", Static).content)
    return console.export_text()


async def test_preview_explains_objects_without_content(
    server: EmbeddedServer, client: ObjectsClient
) -> None:
    pending = await client.create_object("still-uploading.txt", ContentType.TEXT)
    app = make_app(server.base_url)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _open_on(app, pilot, pending)
        await pilot.press("p")
        await drain(app, pilot)
        assert not isinstance(app.screen, PreviewModal)
        assert any("still UPLOADING" in n.message for n in notified(app))


async def test_x_in_the_transfers_panel_cancels_a_download(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    obj, out = await upload_random(client, tmp_path, 2 * 1024 * 1024, "data.bin")
    with FaultProxy(server.base_url) as proxy:
        # The storage answer is held back, so the transfer is surely running when x is pressed.
        proxy.configure(match="/_blobs/", method="GET", delay_first=1, delay_seconds=1.5)
        app = make_app(proxy.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _open_on(app, pilot, obj)
            screen.transfers.run_download(obj, out / "data.bin", False)
            await pilot.pause()
            panel = screen.query_one(TransfersPanel)
            assert [t.state for t in panel.transfers] == [TransferState.RUNNING]
            await pilot.press("T")
            assert app.focused is panel
            await pilot.press("x")
            await drain(app, pilot)
            assert [t.state for t in panel.transfers] == [TransferState.CANCELLED]
            await pilot.press("X")  # clear finished: the panel hides again
            await pilot.pause()
            assert panel.transfers == [] and not panel.has_class("-has-transfers")
    assert list(out.iterdir()) == []
