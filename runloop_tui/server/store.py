"""The store: SQLite (WAL) metadata plus one content file per object under ``blobs/``.

Every method is synchronous and short; the ASGI app calls them in worker threads.
Crash-safety rules, which `recover()` relies on:

* content is written to ``tmp/``, fsynced, and renamed into ``blobs/`` (directory fsynced)
  inside the write transaction that checked the object is still UPLOADING;
* complete reads the content size from the renamed file, so a READ_ONLY row is only ever
  committed after its content is durable (size 0 needs no file);
* delete commits DELETED first and removes the content afterwards.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from runloop_tui.server.datadir import ensure_data_dir, fsync_dir
from runloop_tui.server.records import (
    COLUMNS,
    COUNT_TRIGGERS,
    COUNTS_FILL,
    COUNTS_TABLE,
    DELETED,
    INSERT_OBJECT,
    LIVE_JOINED_SQL,
    READ_ONLY,
    REQUEST_ID_RETENTION_MS,
    SCHEMA,
    CreateRequest,
    ListQuery,
    ListResult,
    NewObject,
    ObjectRecord,
    metadata_json,
    page_body,
)
from runloop_tui.server.storage import listing
from runloop_tui.server.storage.base import found, uploading
from runloop_tui.server.storage.listing import SQLITE_VIEW

__all__ = ["ListQuery", "ListResult", "NewObject", "ObjectRecord", "Store"]

T = TypeVar("T")
# Called inside the transaction that marks objects DELETED (the purge queue hooks in here).
DeletedHook = Callable[[sqlite3.Connection, Sequence[str], int], None]


class ReadTooLong(Exception):
    """A read stopped by its step budget (see ``Store.list_objects``)."""


_CHECK_EVERY = 1000  # VM instructions between two looks at the budget


@contextlib.contextmanager
def _budget(db: sqlite3.Connection, max_steps: int | None) -> Iterator[None]:
    if max_steps is None:
        yield
        return
    checks = 0

    def spent() -> bool:
        nonlocal checks
        checks += 1
        return checks * _CHECK_EVERY > max_steps

    db.set_progress_handler(spent, _CHECK_EVERY)
    try:
        yield
    except sqlite3.OperationalError:
        if checks * _CHECK_EVERY > max_steps:
            raise ReadTooLong from None
        raise
    finally:
        db.set_progress_handler(None, 0)


def create_private(path: Path) -> None:
    """Create ``path`` 0600 if absent (SQLite gives its -wal and -shm files the same mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Store:
    def __init__(self, data_dir: Path, db_path: Path | None = None) -> None:
        self.data_dir = ensure_data_dir(Path(data_dir))
        self.blob_dir = self.data_dir / "blobs"
        self.tmp_dir = self.data_dir / "tmp"
        self.blob_dir.mkdir(exist_ok=True, mode=0o700)
        self.tmp_dir.mkdir(exist_ok=True, mode=0o700)
        self.db_path = Path(db_path) if db_path is not None else self.data_dir / "objects.db"
        create_private(self.db_path)
        self.on_deleted: DeletedHook | None = None
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        # Serialises writers inside this process; BEGIN IMMEDIATE does it across processes.
        self._write_lock = threading.Lock()
        self._closed = False
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        with self._write() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            counted = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'object_counts'"
            ).fetchone()
            if not counted:  # a store from before the counts: create and fill them once
                for statement in (COUNTS_TABLE, *COUNT_TRIGGERS, COUNTS_FILL):
                    db.execute(statement)

    # --- connections and transactions ---

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise RuntimeError("the store is closed")
            conn = sqlite3.connect(
                self.db_path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA mmap_size=268435456")
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        self._closed = True
        with self._conns_lock:
            for conn in self._conns:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._conns.clear()

    # --- paths ---

    def blob_path(self, object_id: str) -> Path:
        return self.blob_dir / object_id

    def open_temp(self) -> tuple[Path, BinaryIO]:
        """A fresh temp file for an upload in flight; its name carries our pid for cleanup."""
        path = self.tmp_dir / f"{os.getpid()}-{secrets.token_hex(8)}.part"
        return path, os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")

    # --- reads ---

    def _fetch(
        self, db: sqlite3.Connection, object_id: str, account: str | None
    ) -> ObjectRecord | None:
        if account is None:
            row = db.execute(f"SELECT {COLUMNS} FROM objects WHERE id = ?", (object_id,))
        else:
            row = db.execute(
                f"SELECT {COLUMNS} FROM objects WHERE id = ? AND account = ?",
                (object_id, account),
            )
        found = row.fetchone()
        return ObjectRecord._make(found) if found else None

    def get(self, account: str | None, object_id: str) -> ObjectRecord:
        """The object if ``account`` owns it (any account when None); NotFound otherwise."""
        return found(self._fetch(self._conn(), object_id, account), object_id)

    def readable(self, account: str, object_id: str) -> ObjectRecord:
        """The object if ``account`` owns it or it is public; NotFound otherwise."""
        row = self._conn().execute(
            f"SELECT {COLUMNS} FROM objects WHERE id = ? AND (account = ? OR is_public = 1)",
            (object_id, account),
        )
        record = row.fetchone()
        return found(ObjectRecord._make(record) if record else None, object_id)

    def list_objects(
        self, account: str | None, query: ListQuery, now_ms: int, max_steps: int | None = None
    ) -> ListResult:
        """A page, newest first; ``account=None`` lists public objects of every account.

        With ``max_steps``, SQLite stops after about that many VM instructions and this raises
        ReadTooLong: the caller may try on its event loop and retry in a thread.
        """
        rows, has_more, total = self._page_rows(COLUMNS, account, query, now_ms, max_steps)
        records = [ObjectRecord._make(row) for row in rows]
        return ListResult(records, has_more=has_more, total_count=total)

    def list_page(
        self, account: str | None, query: ListQuery, now_ms: int, max_steps: int | None = None
    ) -> bytes:
        """``list_objects`` as the response body, each object's JSON built by SQLite."""
        rows, has_more, total = self._page_rows(SQLITE_VIEW, account, query, now_ms, max_steps)
        return page_body([row[0] for row in rows], has_more, total)

    def _page_rows(
        self,
        columns: str,
        account: str | None,
        query: ListQuery,
        now_ms: int,
        max_steps: int | None,
    ) -> tuple[list[Sequence[Any]], bool, int | None]:
        statement = listing.list_statement(listing.SQLITE, columns, account, query, now_ms)
        db = self._conn()
        with _budget(db, max_steps):
            rows = db.execute(statement.sql, statement.params).fetchall()
            if not rows and query.starting_after is not None:
                check = listing.cursor_statement(listing.SQLITE, account)
                if db.execute(check, statement.params).fetchone() is None:
                    raise listing.no_cursor(query.starting_after)
            kept, has_more, total, needs_total = listing.take(rows, statement, query)
            if needs_total:
                sql = listing.total_statement(listing.SQLITE, account, query, now_ms)
                total = int(db.execute(sql, statement.params).fetchone()[0])
        return kept, has_more, total

    def metadata_keys(self, account: str, now_ms: int) -> list[str]:
        rows = self._conn().execute(
            # A skip-scan of the (account, key, value) index: one probe per distinct key, then
            # one live object per key suffices, so this costs a few index probes per key
            # instead of a pass over every metadata row (230 ms -> ~1 ms at 100k objects).
            "WITH RECURSIVE k(key) AS ("
            " SELECT MIN(key) FROM object_metadata WHERE account = :account"
            " UNION ALL SELECT (SELECT MIN(key) FROM object_metadata"
            " WHERE account = :account AND key > k.key) FROM k WHERE k.key IS NOT NULL)"
            " SELECT k.key FROM k WHERE k.key IS NOT NULL AND EXISTS (SELECT 1"
            " FROM object_metadata m JOIN objects o ON o.id = m.object_id"
            f" WHERE m.account = :account AND m.key = k.key AND {LIVE_JOINED_SQL})"
            " ORDER BY k.key",
            {"account": account, "now": now_ms},
        )
        return [row[0] for row in rows]

    def metadata_values(self, account: str, key: str, now_ms: int) -> list[str]:
        rows = self._conn().execute(
            # The same skip-scan over the values of one key.
            "WITH RECURSIVE v(value) AS ("
            " SELECT MIN(value) FROM object_metadata WHERE account = :account AND key = :key"
            " UNION ALL SELECT (SELECT MIN(value) FROM object_metadata WHERE account = :account"
            " AND key = :key AND value > v.value) FROM v WHERE v.value IS NOT NULL)"
            " SELECT v.value FROM v WHERE v.value IS NOT NULL AND EXISTS (SELECT 1"
            " FROM object_metadata m JOIN objects o ON o.id = m.object_id"
            " WHERE m.account = :account AND m.key = :key AND m.value = v.value"
            f" AND {LIVE_JOINED_SQL}) ORDER BY v.value",
            {"account": account, "key": key, "now": now_ms},
        )
        return [row[0] for row in rows]

    # --- writes ---

    def _replayed(
        self, db: sqlite3.Connection, account: str, op: str, request_id: str | None
    ) -> ObjectRecord | None:
        if not request_id:
            return None
        row = db.execute(
            "SELECT object_id FROM requests WHERE account = ? AND op = ? AND request_id = ?",
            (account, op, request_id),
        ).fetchone()
        return self._fetch(db, row[0], account) if row else None

    @staticmethod
    def _remember(
        db: sqlite3.Connection,
        account: str,
        op: str,
        request_id: str | None,
        object_id: str,
        now_ms: int,
    ) -> None:
        if request_id:
            db.execute(
                "INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?)",
                (account, op, request_id, object_id, now_ms),
            )

    def create(self, request: CreateRequest) -> ObjectRecord:
        """A new UPLOADING object; a retried ``request_id`` returns the first one instead."""
        account, request_id = request.account, request.request_id
        with self._write() as db:
            replay = self._replayed(db, account, "create", request_id)
            if replay is not None:
                return replay
            new = request.new_object()
            self._insert(db, [new])
            self._remember(db, account, "create", request_id, new.id, request.now_ms)
            record = self._fetch(db, new.id, account)
        assert record is not None
        return record

    @staticmethod
    def _insert(db: sqlite3.Connection, objects: Sequence[NewObject]) -> None:
        encoded: dict[int, str] = {}  # seeding shares metadata dicts: encode each once

        def encode(metadata: dict[str, str] | None) -> str:
            key = id(metadata)
            if key not in encoded:
                encoded[key] = metadata_json(metadata)
            return encoded[key]

        db.executemany(INSERT_OBJECT.format("?"), [o.row(encode(o.metadata)) for o in objects])
        db.executemany(
            "INSERT INTO object_metadata VALUES (?, ?, ?, ?)",
            [(o.id, o.account, k, v) for o in objects for k, v in (o.metadata or {}).items()],
        )

    def while_uploading(self, object_id: str, action: Callable[[], T]) -> T:
        """Run ``action`` inside a write transaction that found the object UPLOADING."""
        now_ms = int(time.time() * 1000)
        with self._write() as db:
            uploading(self._fetch(db, object_id, None), object_id, now_ms)
            return action()

    def commit_upload(self, object_id: str, temp_path: Path) -> None:
        """Move fsynced content into place, only while the object is still UPLOADING."""

        def place() -> None:
            os.replace(temp_path, self.blob_path(object_id))
            fsync_dir(self.blob_dir)

        self.while_uploading(object_id, place)

    def _stat_blob(self, object_id: str) -> int:
        try:
            return os.stat(self.blob_path(object_id)).st_size
        except FileNotFoundError:
            return 0

    def complete(
        self,
        account: str,
        object_id: str,
        now_ms: int,
        request_id: str | None = None,
        measure: Callable[[], int] | None = None,
    ) -> ObjectRecord:
        with self._write() as db:
            replay = self._replayed(db, account, "complete", request_id)
            if replay is not None and replay.id == object_id:
                return replay
            record = uploading(
                self._fetch(db, object_id, account), object_id, now_ms, completing=True
            )
            size = measure() if measure is not None else self._stat_blob(object_id)
            db.execute(
                "UPDATE objects SET state = 'READ_ONLY', size_bytes = ? WHERE id = ?",
                (size, object_id),
            )
            self._remember(db, account, "complete", request_id, object_id, now_ms)
        return record._replace(state=READ_ONLY, size_bytes=size)

    def delete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None = None
    ) -> ObjectRecord:
        """Any state becomes DELETED (deleting again is a no-op), then content goes."""
        with self._write() as db:
            record = found(self._fetch(db, object_id, account), object_id)
            if record.state != DELETED:
                db.execute("UPDATE objects SET state = 'DELETED' WHERE id = ?", (object_id,))
                if self.on_deleted is not None:
                    self.on_deleted(db, [object_id], now_ms)
            self._remember(db, account, "delete", request_id, object_id, now_ms)
        self.blob_path(object_id).unlink(missing_ok=True)
        return record._replace(state=DELETED)

    def reap(self, now_ms: int, batch: int = 1000) -> int:
        """Mark expired objects DELETED and remove their content; returns how many."""
        with self._write() as db:
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM objects WHERE delete_after_time_ms IS NOT NULL"
                    " AND state != 'DELETED' AND delete_after_time_ms <= ? LIMIT ?",
                    (now_ms, batch),
                )
            ]
            db.executemany("UPDATE objects SET state = 'DELETED' WHERE id = ?", [(i,) for i in ids])
            if ids and self.on_deleted is not None:
                self.on_deleted(db, ids, now_ms)
            db.execute(
                "DELETE FROM requests WHERE time_ms < ?", (now_ms - REQUEST_ID_RETENTION_MS,)
            )
        for object_id in ids:
            self.blob_path(object_id).unlink(missing_ok=True)
        return len(ids)

    # --- seeding ---

    def insert_objects(self, objects: Sequence[NewObject]) -> list[str]:
        """Insert complete rows in one transaction (content must already be in place)."""
        filled = [o.with_id() for o in objects]
        conn = self._conn()
        # Random ids insert all over the id indexes: a big page cache keeps that fast.
        conn.execute("PRAGMA cache_size=-262144")
        try:
            with self._write() as db:
                self._insert(db, filled)
        finally:
            conn.execute("PRAGMA cache_size=-2000")
        return [o.id for o in filled]

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        conn = self._conn()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT id FROM objects WHERE id IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    def write_content(self, object_id: str, data: bytes, size: int | None = None) -> None:
        """Seed content directly; ``size`` beyond ``data`` makes a sparse file."""
        path = self.blob_path(object_id)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(data)
            if size is not None and size != len(data):
                f.truncate(size)

    # --- for startup recovery (recovery.py) ---

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, for maintenance code outside this module."""
        return self._conn()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE ... COMMIT)."""
        return self._write()
