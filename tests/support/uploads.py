"""Real objects made through the client under test, for the transfer tests that then
download, cancel or break them."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from runloop_tui.api.client import ListFilters, ObjectsClient
from runloop_tui.api.models import ObjectState, ObjectView


async def upload_bytes(api: ObjectsClient, source: Path, data: bytes) -> ObjectView:
    """``data`` written to ``source`` (off the event loop) and uploaded through ``api``."""
    await asyncio.to_thread(source.write_bytes, data)
    return await api.upload_path(source)


async def upload_random(
    api: ObjectsClient, tmp_path: Path, size: int, name: str = "big.bin"
) -> tuple[ObjectView, Path]:
    """``size`` random bytes uploaded from ``tmp_path/name``, and the empty folder
    ``tmp_path/out`` to download into: (the object, the folder)."""
    done = await upload_bytes(api, tmp_path / name, os.urandom(size))
    out = tmp_path / "out"
    out.mkdir()
    return done, out


async def still_uploading(api: ObjectsClient) -> list[ObjectView]:
    """The objects left UPLOADING (a failed or cancelled upload must leave none)."""
    page = await api.list_objects(filters=ListFilters(state=ObjectState.UPLOADING))
    return page.objects


def names_in(directory: Path) -> list[str]:
    """What a download folder holds (a failed or cancelled download must add nothing)."""
    return sorted(p.name for p in directory.iterdir())
