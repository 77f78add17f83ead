"""Upload through the form: validation at each field, background transfer, cancel and failure."""

from __future__ import annotations

import os
import time
from pathlib import Path

from textual import events
from textual.widgets import Input, Select

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ContentType, ObjectState
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.modals.path_suggester import complete_path
from runloop_tui.tui.modals.upload import MetadataRow, UploadModal, UploadRequest, check_metadata
from runloop_tui.tui.modals.validation import FieldError
from runloop_tui.tui.widgets.transfers import TransfersPanel, TransferState
from tests.notified import notified
from tests.support.fault_proxy import FaultProxy
from tests.tui.actions_helpers import live_ids, open_upload, states, wait_gone
from tests.tui.conftest import browsing, drain, make_app


def _error(modal: UploadModal, field: str) -> str:
    label = modal.query_one(f"#{field}-error", FieldError)
    return str(label.content) if label.has_class("-shown") else ""


async def test_upload_file_through_the_form(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    src = tmp_path / "report.json"
    src.write_text('{"a": 1}\n')
    # The real clock: the TTL is relative to now, and the table hides what it thinks expired.
    app = make_app(server.base_url, clock=time.time)
    async with browsing(app) as (pilot, screen):
        modal = await open_upload(app, pilot, src)
        assert modal.query_one("#name", Input).value == "report.json"
        assert modal.query_one("#content-type", Select).value == "text"
        modal.query_one("#ttl", Input).value = "12h"
        await pilot.press("ctrl+n")
        await pilot.pause()
        row = modal.query_one(MetadataRow)
        row.query_one(".md-key", Input).value = "team"
        row.query_one(".md-value", Input).value = "ml"
        await pilot.press("ctrl+s")
        await wait_gone(app, pilot, UploadModal)
        await drain(app, pilot)
        uploaded = [o for o in screen.visible_objects if o.name == "report.json"]
        assert len(uploaded) == 1
        assert screen.selected_object is not None
        assert screen.selected_object.id == uploaded[0].id
        panel = screen.query_one(TransfersPanel)
        assert [t.state for t in panel.transfers] == [TransferState.DONE]
        assert panel.transfers[0].done == src.stat().st_size
    obj = await client.get_object(uploaded[0].id)
    assert obj.state is ObjectState.READ_ONLY
    assert obj.content_type is ContentType.TEXT
    assert obj.metadata == {"team": "ml"}
    assert obj.size_bytes == src.stat().st_size
    assert obj.delete_after_time_ms is not None
    assert obj.delete_after_time_ms - obj.create_time_ms == 12 * 3600 * 1000


async def test_each_field_says_what_is_wrong_and_nothing_is_created(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    app = make_app(server.base_url)
    async with browsing(app, size=(80, 24)) as (pilot, _):
        modal = await open_upload(app, pilot)
        await pilot.press("ctrl+s")  # everything empty
        await pilot.pause()
        assert "Choose a file" in _error(modal, "path")
        assert "cannot be empty" in _error(modal, "name")
        modal.query_one("#path", Input).value = str(tmp_path / "missing.txt")
        await pilot.pause()
        assert "No such file or directory" in _error(modal, "path")
        # The name followed the path; make it too long.
        modal.query_one("#name", Input).value = "n" * 1025
        modal.query_one("#ttl", Input).value = "12 parsecs"
        await pilot.pause()
        assert "1,025 characters; at most 1,024" in _error(modal, "name")
        assert "unknown duration unit" in _error(modal, "ttl").lower()
        modal.query_one("#ttl", Input).value = "0s"
        await pilot.pause()
        assert "between 1 second and 100 years" in _error(modal, "ttl")
        for _ in range(2):
            await pilot.press("ctrl+n")
        await pilot.pause()
        rows = list(modal.query(MetadataRow))
        # The new row's key has the focus once its mount completed (no NoMatches race).
        assert app.focused is rows[-1].query_one(".md-key", Input)
        for row in rows:
            row.query_one(".md-key", Input).value = "dup"
        await pilot.pause()
        errors = [e for e in modal.query(".md-error").results(FieldError) if e.has_class("-shown")]
        assert len(errors) == 1 and "already used" in str(errors[0].content)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, UploadModal)  # refused, still open, nothing lost
        assert modal.query_one("#ttl", Input).value == "0s"
        await pilot.press("escape")
        await wait_gone(app, pilot, UploadModal)
        await drain(app, pilot)
    assert await live_ids(client) == set()


def test_metadata_rules() -> None:
    assert check_metadata([("a", "1"), ("", ""), ("b", "2")]) == [None, None, None]
    assert check_metadata([("", "orphan")]) == ["This value needs a key."]
    assert check_metadata([("k", "1"), (" k ", "2")])[1] == "The key 'k' is already used above."
    assert check_metadata([("k" * 257, "")])[0] == "The key is longer than 256 characters."
    too_many = check_metadata([(f"k{i}", "v") for i in range(51)])
    assert too_many[:50] == [None] * 50 and too_many[50] == "At most 50 metadata keys."


async def test_name_follows_the_path_until_edited_and_a_directory_is_tgz(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    folder = tmp_path / "results"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("alpha")
    (folder / "b.bin").write_bytes(os.urandom(1000))
    app = make_app(server.base_url)
    async with browsing(app) as (pilot, screen):
        modal = await open_upload(app, pilot)
        path = modal.query_one("#path", Input)
        name = modal.query_one("#name", Input)
        path.value = str(tmp_path / "resu")
        await pilot.pause()
        assert name.value == "resu"
        path.value = str(folder)
        await pilot.pause()
        assert name.value == "results.tar.gz"
        assert modal.query_one("#content-type", Select).value == "tgz"
        await pilot.press("ctrl+s")
        await wait_gone(app, pilot, UploadModal)
        await drain(app, pilot)
        assert screen.selected_object is not None
        assert screen.selected_object.name == "results.tar.gz"
    obj = (await client.list_objects()).objects[0]
    assert obj.name == "results.tar.gz" and obj.content_type is ContentType.TGZ
    assert obj.state is ObjectState.READ_ONLY

    # Once the user edits the name, a new path no longer replaces it.
    app = make_app(server.base_url)
    async with browsing(app) as (pilot, _):
        modal = await open_upload(app, pilot, folder)
        modal.query_one("#name", Input).value = "my-name"
        modal.query_one("#content-type", Select).value = "binary"
        await pilot.pause()
        modal.query_one("#path", Input).value = str(folder / "b.bin")
        await pilot.pause()
        assert modal.query_one("#name", Input).value == "my-name"
        assert modal.query_one("#content-type", Select).value == "binary"
        await pilot.press("escape")


async def test_name_and_type_follow_a_path_typed_key_by_key(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    """Typing fast queues a Changed per key; none of them may count as the user's own edit."""
    (tmp_path / "notes.md").write_text("# hi")
    app = make_app(server.base_url)
    async with browsing(app) as (pilot, _):
        modal = await open_upload(app, pilot)
        path = modal.query_one("#path", Input)
        # Keys queued at once, as a terminal delivers a fast typist's (or a paste's) input.
        for char in f"{tmp_path}/notes.md":
            path.post_message(events.Key(char, char))
        await pilot.pause()
        await pilot.pause()
        assert path.value == str(tmp_path / "notes.md")
        assert modal.query_one("#name", Input).value == "notes.md"
        assert modal.query_one("#content-type", Select).value == "text"
        await pilot.press("escape")


async def test_path_completion_suggests_the_next_component(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    (tmp_path / "alpha-dir").mkdir()
    (tmp_path / "beta.txt").write_text("b")
    app = make_app(server.base_url)
    async with browsing(app) as (pilot, _):
        modal = await open_upload(app, pilot)
        path = modal.query_one("#path", Input)
        path.value = str(tmp_path) + "/al"
        path.cursor_position = len(path.value)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("right")  # accept the ghost suggestion
        await pilot.pause()
        assert path.value == str(tmp_path / "alpha-dir") + "/"
        await pilot.press("escape")


async def _upload_with_panel_cancel(app_url: str, src: Path) -> None:
    app = make_app(app_url)
    async with browsing(app) as (pilot, screen):
        await open_upload(app, pilot, src)
        panel = screen.transfers_panel
        original = panel.progress_callback

        # Cancel from the panel as soon as bytes flow: the object exists (UPLOADING) by then.
        def cancelling(transfer):  # type: ignore[no-untyped-def]
            inner = original(transfer)

            def progress(done: int, total: int | None) -> None:
                inner(done, total)
                if done > 0 and not transfer.cancel.cancelled:
                    panel.focus()
                    panel.action_cancel_transfer()

            return progress

        panel.progress_callback = cancelling  # type: ignore[method-assign]
        await pilot.press("ctrl+s")
        await drain(app, pilot)
        assert [t.state for t in panel.transfers] == [TransferState.CANCELLED]
        assert screen.visible_objects == []


async def test_cancelled_upload_leaves_no_object(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(8 * 1024 * 1024))
    await _upload_with_panel_cancel(server.base_url, src)
    assert await states(client, ObjectState.UPLOADING) == []
    assert await live_ids(client) == set()


async def test_failed_upload_leaves_no_object_and_says_why(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    src = tmp_path / "data.bin"
    src.write_bytes(os.urandom(3 * 1024 * 1024))
    with FaultProxy(server.base_url) as proxy:
        # The storage PUT answers 500: the client does not retry PUTs; it deletes the object.
        proxy.configure(match="/_blobs/", method="PUT", fail_first=5, fail_status=500)
        app = make_app(proxy.base_url)
        async with browsing(app, notifications=True) as (pilot, screen):
            await open_upload(app, pilot, src)
            await pilot.press("ctrl+s")
            await drain(app, pilot)
            panel = screen.query_one(TransfersPanel)
            assert [t.state for t in panel.transfers] == [TransferState.FAILED]
            assert "500" in (panel.transfers[0].error or "")
            assert any(n.severity == "error" for n in notified(app))
    assert await states(client, ObjectState.UPLOADING) == []
    assert await live_ids(client) == set()


def test_complete_path_rules(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data.csv").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    base = str(tmp_path)
    # Sorted: the directory `data` comes before `data.csv`, and gets a slash.
    assert complete_path(base + "/da") == base + "/data/"
    # An exact file name is not "completed" to itself; the next match is offered.
    assert complete_path(base + "/data.csv") is None
    assert complete_path(base + "/.h") == base + "/.hidden"
    assert complete_path(base + "/") == base + "/data/"  # hidden entries need a dot first
    assert complete_path(base + "/zzz") is None
    assert complete_path(base + "/da", dirs_only=True) == base + "/data/"
    assert complete_path(str(tmp_path / "missing" / "x")) is None
    assert complete_path("") is None


def test_path_fields_never_raise_on_odd_input(tmp_path: Path) -> None:
    from runloop_tui.tui.modals.save_path import SaveTarget
    from runloop_tui.tui.modals.validation import ExistingPath, ObjectName

    odd = ["~nosuchuser_rt/x", "~\x00/x", "a\x00b", "x" * 300, str(tmp_path / ("y" * 300))]
    for value in odd:
        assert not ExistingPath().validate(value).is_valid
        assert not SaveTarget().validate(value).is_valid
        assert complete_path(value) is None  # nothing there to complete, and no exception
    assert "NUL" in (ExistingPath().validate("a\x00b").failure_descriptions[0])
    assert "too long" in SaveTarget().validate(str(tmp_path / ("y" * 300))).failure_descriptions[0]
    assert "U+0007" in ObjectName().validate("bell\x07").failure_descriptions[0]
    assert ObjectName().validate("ΔΩ名前 ok").is_valid
    assert check_metadata([("k", "\x1b[31m")]) == [
        "The value contains the control character U+001B."
    ]
    assert check_metadata([("k\x00", "v")]) == ["The key contains the control character U+0000."]
    assert check_metadata([("k", "tab\tok")]) == [None]


async def test_a_burst_of_uploads_gives_one_success_toast(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    sources = []
    for i in range(6):
        src = tmp_path / f"burst-{i}.txt"
        src.write_text(f"file {i}\n")
        sources.append(src)
    missing = tmp_path / "gone.txt"
    app = make_app(server.base_url, clock=time.time)
    async with browsing(app) as (pilot, screen):
        panel = screen.transfers_panel
        # A transfer still running keeps the burst open, whatever the scheduling of the workers.
        held = panel.start("upload", "held")
        for src in sources:
            screen.transfers.run_upload(UploadRequest(src, src.name, ContentType.TEXT))
        screen.transfers.run_upload(UploadRequest(missing, "gone.txt", ContentType.TEXT))
        await drain(app, pilot)
        messages = [(n.title, n.message, n.severity) for n in notified(app)]
        # Each error is said at once; the successes wait for the end of the burst.
        assert [m for m in messages if m[2] == "error"] and not any(
            "Uploaded" in m[1] for m in messages
        )
        panel.finish(held, TransferState.DONE)
        # The burst ends with another failure: the held successes are summed up in one toast.
        screen.transfers.run_upload(UploadRequest(missing, "gone-again.txt", ContentType.TEXT))
        await drain(app, pilot)
        messages = [(n.title, n.message, n.severity) for n in notified(app)]
        assert len([m for m in messages if m[2] == "error"]) == 2
        uploaded = [m for m in messages if "Uploaded" in m[1]]
        assert uploaded == [("Uploaded", "Uploaded 6 objects.", "information")]
    assert len(await live_ids(client)) == 6


async def test_a_lone_upload_still_names_its_object(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    src = tmp_path / "one.txt"
    src.write_text("one\n")
    app = make_app(server.base_url, clock=time.time)
    async with browsing(app) as (pilot, screen):
        screen.transfers.run_upload(UploadRequest(src, "one.txt", ContentType.TEXT))
        await drain(app, pilot)
        assert [n.message for n in notified(app) if "Uploaded" in n.message] == [
            "Uploaded 'one.txt' (4 B)."
        ]
