"""Startup recovery: after a crash (kill -9, power loss) the store is made consistent.

* temp files of uploads whose server process is gone are removed;
* content files of DELETED or unknown objects are removed;
* a READ_ONLY object whose content is missing or of the wrong size becomes ERROR
  (the write ordering in store.py means this should never be needed).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from runloop_tui.server.procs import process_alive


class Store(Protocol):
    """What recovery needs of ``store.Store`` (a protocol, so neither module imports the other)."""

    tmp_dir: Path
    blob_dir: Path

    def blob_path(self, object_id: str) -> Path: ...

    def connection(self) -> sqlite3.Connection: ...

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    temp_files_removed: int
    orphan_blobs_removed: int
    objects_marked_error: int


def recover(store: Store) -> RecoveryReport:
    """Bring the store back to a consistent state after a crash."""
    temps = 0
    for entry in os.scandir(store.tmp_dir):
        pid_text = entry.name.split("-", 1)[0]
        pid = int(pid_text) if pid_text.isdigit() else -1
        if pid != os.getpid() and not (pid > 0 and process_alive(pid)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                temps += 1
    # Listing blobs before reading rows: a blob only exists after its row is committed.
    blob_names = [entry.name for entry in os.scandir(store.blob_dir)]
    conn = store.connection()
    live = {row[0] for row in conn.execute("SELECT id FROM objects WHERE state != 'DELETED'")}
    orphans = 0
    for name in blob_names:
        if name not in live:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(store.blob_dir / name)
                orphans += 1
    broken = []
    for object_id, size in conn.execute(
        "SELECT id, size_bytes FROM objects WHERE state = 'READ_ONLY'"
    ):
        if _content_size(store, object_id) != (size or 0):
            broken.append(object_id)
    marked = 0
    if broken:
        with store.transaction() as db:
            for object_id in broken:
                if _content_size(store, object_id) != _size_of(db, object_id):
                    marked += db.execute(
                        "UPDATE objects SET state = 'ERROR' WHERE id = ? AND state = 'READ_ONLY'",
                        (object_id,),
                    ).rowcount
    return RecoveryReport(temps, orphans, marked)


def _content_size(store: Store, object_id: str) -> int:
    try:
        return os.stat(store.blob_path(object_id)).st_size
    except FileNotFoundError:
        return 0


def _size_of(db: sqlite3.Connection, object_id: str) -> int:
    row = db.execute("SELECT size_bytes FROM objects WHERE id = ?", (object_id,)).fetchone()
    return int(row[0] or 0) if row else 0
