"""The embedded content store: one file per object under ``blobs/``, HMAC-presigned URLs.

The URLs point back at this server (``server/blobs.py`` serves them), so their base comes
from ``--public-url`` or a trusted ``Host``. With several replicas, ``blobs/`` must be on a
shared filesystem and every replica must be given the same signing key file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
import time
from pathlib import Path
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool

from runloop_tui.server.datadir import fsync_dir
from runloop_tui.server.procs import process_alive
from runloop_tui.server.signing import DOWNLOAD, UPLOAD, UrlSigner
from runloop_tui.server.storage.base import Measure

HOST_TAG = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


class DirectoryContent:
    served_here = True

    def __init__(self, root: Path, signer: UrlSigner) -> None:
        self.root = Path(root).expanduser()
        self.blob_dir = self.root / "blobs"
        self.tmp_dir = self.root / "tmp"
        for path in (self.root, self.blob_dir, self.tmp_dir):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.signer = signer
        self.description = f"directory {self.root}"

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def blob_path(self, object_id: str) -> Path:
        return self.blob_dir / object_id

    def open_temp(self) -> tuple[Path, BinaryIO]:
        """A fresh 0600 temp file for an upload in flight; its name carries our pid and host
        (replicas on other hosts may share this directory: their pids mean nothing here)."""
        path = self.tmp_dir / f"{os.getpid()}-{secrets.token_hex(8)}-{HOST_TAG}.part"
        return path, os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")

    def remove_dead_temps(self) -> int:
        """Remove this host's temp files whose process is gone (a crash mid-upload)."""
        removed = 0
        for entry in os.scandir(self.tmp_dir):
            pid_text, _, rest = entry.name.partition("-")
            if not rest.endswith(f"-{HOST_TAG}.part") or not pid_text.isdigit():
                continue
            pid = int(pid_text)
            if pid != os.getpid() and not process_alive(pid):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
        return removed

    def place(self, temp_path: Path, object_id: str) -> None:
        """Move fsynced content into place (call under MetadataStore.while_uploading)."""
        os.replace(temp_path, self.blob_path(object_id))
        fsync_dir(self.blob_dir)

    async def upload_target(
        self, base_url: str, object_id: str, expires_in: int
    ) -> tuple[str, dict[str, str] | None]:
        return self.signer.url(base_url, UPLOAD, object_id, _expiry(expires_in)), None

    async def download_url(self, base_url: str, object_id: str, expires_in: int) -> str:
        return self.signer.url(base_url, DOWNLOAD, object_id, _expiry(expires_in))

    async def measure(self, object_id: str) -> Measure:
        path = self.blob_path(object_id)

        def size() -> int:  # read inside complete's transaction: no upload can land after it
            try:
                return os.stat(path).st_size
            except FileNotFoundError:
                return 0  # nothing uploaded is an empty object, as on the real service

        return size

    async def remove(self, object_ids: list[str]) -> None:
        def unlink() -> None:
            for object_id in object_ids:
                with contextlib.suppress(FileNotFoundError):
                    self.blob_path(object_id).unlink()

        await run_in_threadpool(unlink)


def _expiry(expires_in: int) -> int:
    return int(time.time()) + expires_in
