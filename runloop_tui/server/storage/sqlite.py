"""The embedded metadata store: ``server/store.py`` (SQLite, WAL) behind the async interface.

Each call runs the synchronous store in a worker thread, exactly as the server always did.
The purge queue is used only with a remote content store; the local directory's content is
removed inline by the store itself, and crash recovery sweeps what a crash left behind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from runloop_tui.server.records import CreateRequest, ListQuery, ListResult, ObjectRecord
from runloop_tui.server.recovery import recover
from runloop_tui.server.storage.base import Measure, T
from runloop_tui.server.store import ReadTooLong, Store

# SQLite VM instructions a list may take on the event loop (about half a millisecond; a
# page of 100 takes ~3,000).
INLINE_STEPS = 20_000
# How long a claimed purge is leased before another pass may retry it.
PURGE_LEASE_MS = 60_000
MAX_PURGE_BACKOFF_MS = 15 * 60_000


def purge_backoff_ms(attempts: int) -> int:
    """Lease plus backoff for the next try: 1 min, then doubling up to 15 min."""
    return int(min(PURGE_LEASE_MS * 2 ** min(attempts, 10), MAX_PURGE_BACKOFF_MS))


class SqliteMetadata:
    def __init__(self, data_dir: Path, db_path: Path | None = None, *, queue_purges: bool) -> None:
        self.store = Store(data_dir, db_path)
        self.description = f"SQLite {self.store.db_path}"
        self._queue_purges = queue_purges
        if queue_purges:
            self.store.on_deleted = self._queue

    @staticmethod
    def _queue(db: sqlite3.Connection, ids: Sequence[str], now_ms: int) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO purges (object_id, next_try_ms) VALUES (?, ?)",
            [(object_id, now_ms) for object_id in ids],
        )

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        self.store.close()

    async def get(self, account: str | None, object_id: str) -> ObjectRecord:
        return await run_in_threadpool(self.store.get, account, object_id)

    async def readable(self, account: str, object_id: str) -> ObjectRecord:
        return await run_in_threadpool(self.store.readable, account, object_id)

    async def list_objects(self, account: str | None, query: ListQuery, now_ms: int) -> ListResult:
        return await run_in_threadpool(self.store.list_objects, account, query, now_ms)

    async def list_page(self, account: str | None, query: ListQuery, now_ms: int) -> bytes:
        # Most pages are an index range read of well under a millisecond: a hop to a worker
        # thread and back costs more CPU than that (it was most of a list's time under load).
        # So try on the event loop with a step budget, and only a read that exceeds it (a
        # filter scanning many rows, a page of thousands) starts again in a thread.
        try:
            return self.store.list_page(account, query, now_ms, max_steps=INLINE_STEPS)
        except ReadTooLong:
            return await run_in_threadpool(self.store.list_page, account, query, now_ms)

    async def metadata_keys(self, account: str, now_ms: int) -> list[str]:
        return await run_in_threadpool(self.store.metadata_keys, account, now_ms)

    async def metadata_values(self, account: str, key: str, now_ms: int) -> list[str]:
        return await run_in_threadpool(self.store.metadata_values, account, key, now_ms)

    async def create(self, request: CreateRequest) -> ObjectRecord:
        return await run_in_threadpool(self.store.create, request)

    async def complete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None, measure: Measure
    ) -> ObjectRecord:
        return await run_in_threadpool(
            self.store.complete, account, object_id, now_ms, request_id, measure
        )

    async def delete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None
    ) -> ObjectRecord:
        return await run_in_threadpool(self.store.delete, account, object_id, now_ms, request_id)

    async def while_uploading(self, object_id: str, action: Callable[[], T]) -> T:
        return await run_in_threadpool(self.store.while_uploading, object_id, action)

    async def reap(self, now_ms: int, batch: int) -> int:
        return await run_in_threadpool(self.store.reap, now_ms, batch)

    async def collect_stale_uploads(self, older_than_ms: int, now_ms: int, batch: int) -> int:
        def collect() -> int:
            with self.store.transaction() as db:
                ids = [
                    row[0]
                    for row in db.execute(
                        "SELECT id FROM objects WHERE state = 'UPLOADING' AND create_time_ms < ?"
                        " LIMIT ?",
                        (older_than_ms, batch),
                    )
                ]
                db.executemany(
                    "UPDATE objects SET state = 'DELETED' WHERE id = ?", [(i,) for i in ids]
                )
                if ids and self._queue_purges:
                    self._queue(db, ids, now_ms)
            for object_id in ids:
                self.store.blob_path(object_id).unlink(missing_ok=True)
            return len(ids)

        return await run_in_threadpool(collect)

    async def claim_purges(self, now_ms: int, batch: int) -> list[str]:
        if not self._queue_purges:
            return []

        def claim() -> list[str]:
            with self.store.transaction() as db:
                rows = db.execute(
                    "SELECT object_id, attempts FROM purges WHERE next_try_ms <= ?"
                    " ORDER BY next_try_ms LIMIT ?",
                    (now_ms, batch),
                ).fetchall()
                db.executemany(
                    "UPDATE purges SET attempts = attempts + 1, next_try_ms = ?"
                    " WHERE object_id = ?",
                    [(now_ms + purge_backoff_ms(attempts), oid) for oid, attempts in rows],
                )
            return [row[0] for row in rows]

        return await run_in_threadpool(claim)

    async def purged(self, object_ids: list[str]) -> None:
        def forget() -> None:
            with self.store.transaction() as db:
                db.executemany(
                    "DELETE FROM purges WHERE object_id = ?", [(oid,) for oid in object_ids]
                )

        if object_ids:
            await run_in_threadpool(forget)

    async def recover(self) -> str | None:
        report = await run_in_threadpool(recover, self.store)
        if report.temp_files_removed or report.orphan_blobs_removed or report.objects_marked_error:
            return str(report)
        return None
