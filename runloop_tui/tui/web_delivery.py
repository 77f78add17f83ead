"""Web mode: downloads and exports go to the browser (App.deliver_binary), not onto the
server's disk.

textual-serve pulls a delivery from the app chunk by chunk once the browser asks for it, so
the app needs a readable file until then. The object is streamed into a private temporary
directory, opened, and the directory removed at once: the open file is all that is left,
and the operating system frees it when the delivery closes it.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from textual.app import App

from runloop_tui.api.client import CancelToken, ObjectsClient, ProgressCallback
from runloop_tui.api.models import ObjectView
from runloop_tui.tui.actions.naming import download_file_name

# textual-serve puts the name in a Content-Disposition header unquoted: keep it to a token.
_HEADER_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]")


def browser_file_name(name: str) -> str:
    return _HEADER_UNSAFE.sub("_", name)[:200] or "download"


def _open_and_forget(path: Path, scratch: Path) -> BinaryIO:
    try:
        return path.open("rb")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# (binary, file name, delivery key): App.deliver_binary, from the right thread.
Deliver = Callable[[BinaryIO, str, str], None]


def deliver_to_browser(app: App[Any], binary: BinaryIO, file_name: str, key: str) -> None:
    """App.deliver_binary, from the event loop or from a thread worker (export)."""
    if threading.current_thread() is threading.main_thread():
        app.deliver_binary(binary, save_filename=file_name, name=key)
    else:
        app.call_from_thread(app.deliver_binary, binary, save_filename=file_name, name=key)


async def download_for_browser(
    deliver: Deliver,
    client: ObjectsClient,
    obj: ObjectView,
    progress: ProgressCallback,
    cancel: CancelToken,
) -> str:
    """Fetch the object and hand it to the browser; returns the file name it is saved as."""
    name = browser_file_name(download_file_name(obj.name, str(obj.content_type), obj.id))
    scratch = Path(tempfile.mkdtemp(prefix="runloop-tui-web-"))
    try:
        path = await client.download_to(obj.id, scratch / name, progress=progress, cancel=cancel)
        binary = _open_and_forget(path, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    deliver(binary, name, obj.id)
    return name


def export_for_browser(deliver: Deliver, data: bytes, file_name: str) -> str:
    """Hand an export (rows' metadata: small) to the browser; returns its file name."""
    name = browser_file_name(file_name)
    deliver(io.BytesIO(data), name, "export")
    return name
