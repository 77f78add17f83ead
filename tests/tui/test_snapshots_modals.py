"""SVG snapshots of every action modal at 80x24 and 120x36. Update with --snapshot-update.

Hermetic: a tiny harness app shows each modal over a plain screen, with fixed objects, a
fixed clock, fixed URLs and paths, and the cursor blink off.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Label, TextArea

from runloop_tui.api.bulk import BulkDeleteOutcome, DeleteFailure
from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.preview import build_preview
from runloop_tui.tui.modals.bulk_delete import (
    BulkDeleteModal,
    BulkDeleteProgressModal,
    BulkResultsModal,
)
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.modals.download import DownloadModal
from runloop_tui.tui.modals.export import ExportModal
from runloop_tui.tui.modals.presign import PresignModal
from runloop_tui.tui.modals.preview import PreviewModal
from runloop_tui.tui.modals.upload import UploadModal
from tests.tui.actions_helpers import make_tar
from tests.tui.snapshot_helpers import SIZES, SnapCompare

NOW_MS = 1_893_456_000_000
FIXED_URL = (
    "http://127.0.0.1:8787/_blobs/obj_7Hk2pQ9sLmN4vR8tW1xYzA?expires=1893459600"
    "&signature=3f9a2c6d8e1b4f7a9c0d2e5f8a1b3c6d"
)


def obj(i: int, **kw: Any) -> ObjectView:
    base: dict[str, Any] = {
        "id": f"obj_{i:04d}Hk2pQ9sLmN4vR8tW1xY",
        "name": f"agent-runs/2029-12/run-{i:04d}/trajectory.jsonl",
        "state": ObjectState.READ_ONLY,
        "content_type": ContentType.TEXT,
        "create_time_ms": NOW_MS - i * 3_600_000,
        "size_bytes": 1_000 + i * 7_919,
    }
    base.update(kw)
    return ObjectView(**base)


MAIN = obj(
    7,
    name="logs/api-server/2029-12-31.log.gz",
    content_type=ContentType.GZIP,
    size_bytes=48_213_775,
    delete_after_time_ms=NOW_MS + 40 * 60_000,
)


def many() -> list[ObjectView]:
    states = [ObjectState.READ_ONLY] * 7 + [ObjectState.UPLOADING, ObjectState.ERROR]
    return [obj(i, state=states[i % len(states)]) for i in range(1234)]


async def _fixed_url(seconds: int, on_retry: object = None) -> str:
    return FIXED_URL


TEXT_HEAD = (
    b'"""Agent trajectory replay."""\n\nimport json\n\n\ndef replay(path):\n'
    b"    with open(path) as fh:\n        for line in fh:\n"
    b'            step = json.loads(line)\n            print(step["action"], step.get("reward"))\n'
)


def _outcome() -> BulkDeleteOutcome:
    objs = many()[:40]
    failed = tuple(
        DeleteFailure(o, f"HTTP 409 Conflict (POST /v1/objects/{o.id}/delete): object is locked.")
        for o in objs[:3]
    )
    return BulkDeleteOutcome(requested=40, deleted=tuple(objs[3:]), failed=failed, skipped=())


TGZ = make_tar(
    {f"run-{i:03d}/trajectory.jsonl": gzip.compress(b"x" * i, mtime=0) for i in range(12)}, gz=True
)


MODALS: dict[str, Callable[[], Screen[Any]]] = {
    "upload": lambda: UploadModal(start_path="README.md"),
    "delete-confirm": lambda: ConfirmModal(
        f"Delete {MAIN.name}?",
        [
            ("Name", MAIN.name),
            ("ID", MAIN.id),
            ("Size", "48.2 MB (48,213,775 bytes)"),
            ("State", "READ_ONLY"),
        ],
        confirm_label="Yes, delete",
    ),
    "bulk-delete": lambda: BulkDeleteModal(many()),
    # Three of the marked are hidden by the filter: counted, listed first.
    "bulk-delete-hidden": lambda: BulkDeleteModal(many()[:9], {o.id for o in many()[5:8]}),
    "bulk-progress": lambda: BulkDeleteProgressModal(many()[:40], _never, autostart=False),
    "bulk-results": lambda: BulkResultsModal(_outcome()),
    "presign": lambda: PresignModal(MAIN, _fixed_url, lambda: NOW_MS),
    "download": lambda: DownloadModal(MAIN, Path("/tmp/2029-12-31.log.gz")),
    "overwrite-confirm": lambda: ConfirmModal(
        "Replace the existing file?",
        [("File", "/tmp/2029-12-31.log.gz"), ("Size", "1,024 bytes")],
        confirm_label="Replace it",
        caution=True,
    ),
    "preview-text": lambda: PreviewModal(
        obj(3, name="tools/replay.py", size_bytes=len(TEXT_HEAD)),
        build_preview("tools/replay.py", "text", TEXT_HEAD, len(TEXT_HEAD)),
    ),
    "preview-tgz": lambda: PreviewModal(
        obj(4, name="bundle.tar.gz", content_type=ContentType.TGZ, size_bytes=len(TGZ)),
        build_preview("bundle.tar.gz", "tgz", TGZ, len(TGZ)),
    ),
    "preview-hex": lambda: PreviewModal(
        obj(5, name="weights.bin", content_type=ContentType.BINARY, size_bytes=1 << 20),
        build_preview("weights.bin", "binary", bytes(range(256)) * 4, 1 << 20),
    ),
    "export": lambda: ExportModal(240, 12, Path("/tmp/objects-20300101-000000.json")),
}


async def _never(object_id: str) -> object:
    raise AssertionError("the snapshot must not delete anything")


class Backdrop(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Label("runloop-tui  ·  snapshot backdrop")


class Harness(App[None]):
    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self._make = make

    def on_mount(self) -> None:
        self.push_screen(Backdrop())
        self.push_screen(self._make())


async def _freeze(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    for field in app.screen.query(Input):
        field.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", sorted(MODALS))
def test_modal_snapshot(snap_compare: SnapCompare, name: str, size: tuple[int, int]) -> None:
    assert snap_compare(Harness(MODALS[name]), terminal_size=size, run_before=_freeze)


def test_bulk_delete_wrong_count_snapshot(snap_compare: SnapCompare) -> None:
    async def wrong(pilot: Pilot[Any]) -> None:
        await pilot.press("1", "2", "3")
        await _freeze(pilot)

    assert snap_compare(Harness(MODALS["bulk-delete"]), terminal_size=(80, 24), run_before=wrong)


def test_upload_errors_snapshot(snap_compare: SnapCompare) -> None:
    async def invalid(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        screen.query_one("#path", Input).value = "/nonexistent/file.bin"
        screen.query_one("#ttl", Input).value = "3 fortnights"
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+s")
        await _freeze(pilot)

    assert snap_compare(Harness(lambda: UploadModal()), terminal_size=(120, 36), run_before=invalid)
