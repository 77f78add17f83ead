"""Helpers shared by the action tests: seeding real content, waiting for screens and workers."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from textual.screen import Screen
from textual.widgets import Input

from runloop_tui.api.client import ListFilters, ObjectsClient
from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.export import ExportModal
from runloop_tui.tui.modals.upload import UploadModal

S = TypeVar("S", bound=Screen[Any])


async def wait_screen(app: RunloopApp, pilot: Any, cls: type[S], *, rounds: int = 50) -> S:
    """The top screen once it is a `cls` (bounded number of pauses, no sleeping)."""
    for _ in range(rounds):
        await pilot.pause()
        if isinstance(app.screen, cls):
            return app.screen
    raise AssertionError(f"{cls.__name__} did not appear; top is {type(app.screen).__name__}")


async def wait_gone(
    app: RunloopApp, pilot: Any, cls: type[Screen[Any]], *, rounds: int = 50
) -> None:
    for _ in range(rounds):
        await pilot.pause()
        if not isinstance(app.screen, cls):
            return
    raise AssertionError(f"{cls.__name__} is still on top")


@asynccontextmanager
async def export_form(
    data_dir: Path, out: Path, count: int, marked: int
) -> AsyncIterator[tuple[RunloopApp, Any, ExportModal, list[str]]]:
    """``count`` seeded objects, the first ``marked`` of them marked, and the export form
    open (downloads go to the existing folder ``out``): (app, pilot, form, ids newest first)."""
    from dataclasses import replace

    from runloop_tui.server.demo import seed_bulk
    from runloop_tui.server.embedded import EmbeddedServer
    from tests.conftest import API_KEY, OTHER_API_KEY
    from tests.tui.conftest import NOW_MS, browsing, make_app

    ids = seed_bulk(data_dir, API_KEY, count, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        app = make_app(server.base_url)
        app.settings = replace(app.settings, download_dir=out)
        async with browsing(app) as (pilot, screen):
            screen.mark_objects(ids[:marked])
            await pilot.press("e")
            yield app, pilot, await wait_screen(app, pilot, ExportModal), ids


async def open_upload(app: RunloopApp, pilot: Any, path: Path | str | None = None) -> UploadModal:
    """Press u on the browser; the upload form, with ``path`` typed in if given."""
    await pilot.press("u")
    modal = await wait_screen(app, pilot, UploadModal)
    if path is not None:
        modal.query_one("#path", Input).value = str(path)
        await pilot.pause()
    return modal


def make_tar(files: dict[str, bytes], *, gz: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    # mtime=0: the same files always give the same bytes (snapshots show the size).
    return gzip.compress(buf.getvalue(), mtime=0) if gz else buf.getvalue()


SAMPLES: dict[str, tuple[bytes, ContentType]] = {
    "notes/readme.md": (b"# Title\n\nSome *markdown* text.\n", ContentType.TEXT),
    "logs/app.log.gz": (
        gzip.compress(b"INFO started\nWARN disk 91%\n" * 20, mtime=0),
        ContentType.GZIP,
    ),
    "bundle.tar": (make_tar({"a.txt": b"alpha", "b/c.bin": bytes(300)}, gz=False), ContentType.TAR),
    "bundle.tar.gz": (make_tar({"x.json": b"{}", "y.txt": b"why"}, gz=True), ContentType.TGZ),
    "blob.bin": (random.Random(3).randbytes(200), ContentType.BINARY),
}


async def upload_samples(client: ObjectsClient, tmp_path: Path) -> dict[str, ObjectView]:
    """Real uploads of SAMPLES (no TTL: the test clock is frozen in 2030)."""
    src = tmp_path / "samples"
    src.mkdir(exist_ok=True)
    out: dict[str, ObjectView] = {}
    for i, (name, (data, ctype)) in enumerate(SAMPLES.items()):
        path = src / f"sample-{i}"
        path.write_bytes(data)
        out[name] = await client.upload_path(path, name=name, content_type=ctype)
    return out


async def states(client: ObjectsClient, state: ObjectState) -> list[ObjectView]:
    objects: list[ObjectView] = []
    async for page in client.iter_pages(filters=ListFilters(state=state)):
        objects.extend(page.objects)
    return objects


async def live_ids(client: ObjectsClient) -> set[str]:
    ids: set[str] = set()
    async for page in client.iter_pages():
        ids.update(o.id for o in page.objects if o.state is not ObjectState.DELETED)
    return ids


class CountingDeleter:
    """Deletes through ``api``, recording the start order and the most deletes in flight."""

    def __init__(self, api: ObjectsClient) -> None:
        self.api = api
        self.in_flight = 0
        self.peak = 0
        self.order: list[str] = []

    async def __call__(self, object_id: str) -> ObjectView:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        self.order.append(object_id)
        try:
            return await self.api.delete_object(object_id)
        finally:
            self.in_flight -= 1


@asynccontextmanager
async def bulk_store(
    data_dir: Path, count: int
) -> AsyncIterator[tuple[ObjectsClient, list[str], dict[str, ObjectView]]]:
    """A real server over ``count`` seeded objects: (client, ids newest first, objects by id)."""
    from runloop_tui.server.demo import seed_bulk
    from runloop_tui.server.embedded import EmbeddedServer
    from tests.conftest import API_KEY, OTHER_API_KEY
    from tests.tui.conftest import NOW_MS, quick_retry

    ids = seed_bulk(data_dir, API_KEY, count, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        async with ObjectsClient(server.base_url, API_KEY, retry=quick_retry()) as api:
            page = await api.list_objects(limit=count)
            yield api, ids, {o.id: o for o in page.objects}
