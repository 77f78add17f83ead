"""PostgreSQL metadata, shared by any number of stateless replicas.

Driver: psycopg 3 (async), with psycopg_pool. Each state change is one short transaction that
locks its row (``FOR UPDATE``) and re-checks the state, so replicas never race; the sweeps
(TTL, abandoned uploads, the purge queue) take ``FOR UPDATE SKIP LOCKED`` batches, so every
replica can run them without doing the same work twice. The schema is versioned; start-up
migrates under an advisory lock, so replicas starting together are safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from runloop_tui.server.errors import Conflict, InvalidArgument, NotFound
from runloop_tui.server.ids import new_object_id
from runloop_tui.server.records import (
    DELETED,
    READ_ONLY,
    REQUEST_ID_RETENTION_MS,
    UPLOADING,
    ListQuery,
    ListResult,
    NewObject,
    ObjectRecord,
)
from runloop_tui.server.storage.base import BackendUnavailable, Measure, T
from runloop_tui.server.storage.sqlite import MAX_PURGE_BACKOFF_MS, PURGE_LEASE_MS

# Any constant shared by every replica: the key of the migration lock.
MIGRATION_LOCK = 0x52554E4C  # "RUNL"
POOL_MAX = 16

# Append only: a released migration never changes.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
CREATE TABLE objects (
    id text PRIMARY KEY,
    account text NOT NULL,
    name text NOT NULL,
    name_fold text NOT NULL,
    state text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint,
    create_time_ms bigint NOT NULL,
    delete_after_time_ms bigint,
    metadata jsonb NOT NULL DEFAULT '{}',
    is_public boolean NOT NULL DEFAULT false
);
CREATE INDEX ix_objects_account_list ON objects (account, create_time_ms DESC, id DESC);
CREATE INDEX ix_objects_public_list ON objects (create_time_ms DESC, id DESC) WHERE is_public;
CREATE INDEX ix_objects_expiry ON objects (delete_after_time_ms)
    WHERE delete_after_time_ms IS NOT NULL AND state <> 'DELETED';
CREATE INDEX ix_objects_uploading ON objects (create_time_ms) WHERE state = 'UPLOADING';
CREATE INDEX ix_objects_metadata ON objects USING gin (metadata);
-- x-request-id is unique per account (and operation): a retried request finds its object.
CREATE TABLE requests (
    account text NOT NULL,
    op text NOT NULL,
    request_id text NOT NULL,
    object_id text NOT NULL,
    time_ms bigint NOT NULL,
    PRIMARY KEY (account, op, request_id)
);
CREATE INDEX ix_requests_time ON requests (time_ms);
CREATE TABLE purges (
    object_id text PRIMARY KEY,
    attempts integer NOT NULL DEFAULT 0,
    next_try_ms bigint NOT NULL
);
CREATE INDEX ix_purges_next ON purges (next_try_ms);
""",
    ),
    # Name filters (`name=`, `search=`) are substring matches: a trigram index answers them
    # without reading every row. pg_trgm ships with PostgreSQL and is a trusted extension;
    # where it cannot be created the filters still work, by a scan.
    (2, "OPTIONAL CREATE EXTENSION IF NOT EXISTS pg_trgm"),
    (3, "OPTIONAL CREATE INDEX ix_objects_name_trgm ON objects USING gin (name_fold gin_trgm_ops)"),
]
OPTIONAL = "OPTIONAL "

COLUMNS = (
    "id, name, state, content_type, size_bytes, create_time_ms, delete_after_time_ms,"
    " metadata::text"
)
LIVE = "state <> 'DELETED' AND (delete_after_time_ms IS NULL OR delete_after_time_ms > %(now)s)"
EXPIRED = "(delete_after_time_ms IS NOT NULL AND delete_after_time_ms <= %(now)s)"
REMEMBER = (
    "INSERT INTO requests VALUES (%s, %s, %s, %s, %s) ON CONFLICT (account, op, request_id)"
    " DO UPDATE SET object_id = excluded.object_id, time_ms = excluded.time_ms"
)
QUEUE = (
    "INSERT INTO purges (object_id, next_try_ms) SELECT id, %(now)s FROM gone"
    " ON CONFLICT DO NOTHING"
)

Conn = AsyncConnection[TupleRow]


def _record(row: tuple[Any, ...] | None) -> ObjectRecord | None:
    return ObjectRecord._make(row) if row else None


def _contains(text: str) -> str:
    """A LIKE pattern for "contains ``text``" (LIKE, unlike strpos, can use the trigram index)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _encode(metadata: dict[str, str] | None) -> str:
    return json.dumps(metadata or {}, ensure_ascii=False, separators=(",", ":"))


async def _fetch(
    db: Conn, object_id: str, account: str | None, *, lock: bool = False
) -> ObjectRecord | None:
    sql = f"SELECT {COLUMNS} FROM objects WHERE id = %s"
    params: tuple[str, ...] = (object_id,)
    if account is not None:
        sql += " AND account = %s"
        params = (object_id, account)
    cursor = await db.execute(sql + (" FOR UPDATE" if lock else ""), params)
    return _record(await cursor.fetchone())


async def _replayed(db: Conn, account: str, op: str, request_id: str | None) -> str | None:
    if not request_id:
        return None
    cursor = await db.execute(
        "SELECT object_id FROM requests WHERE account = %s AND op = %s AND request_id = %s",
        (account, op, request_id),
    )
    row = await cursor.fetchone()
    return str(row[0]) if row else None


async def migrate(db: Conn) -> int:
    """Apply pending migrations (under an advisory lock); returns the schema version."""
    async with db.transaction():
        await db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor = await db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
        row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        for version, script in MIGRATIONS:
            if version <= current:
                continue
            if script.startswith(OPTIONAL):
                with contextlib.suppress(psycopg.Error):
                    async with db.transaction():  # a savepoint: a refusal changes nothing
                        await db.execute(script.removeprefix(OPTIONAL).encode())
            else:
                for statement in script.split(";"):
                    if statement.strip():
                        await db.execute(statement.encode())
            await db.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
            current = version
    return current


class PostgresMetadata:
    def __init__(self, url: str, *, pool_max: int = POOL_MAX) -> None:
        self._url = url
        self._pool_max = pool_max
        self._pool: AsyncConnectionPool[Conn] | None = None
        host = url.split("@")[-1].split("?")[0]  # never the password
        self.description = f"PostgreSQL {host}"

    @property
    def pool(self) -> AsyncConnectionPool[Conn]:
        if self._pool is None:
            raise RuntimeError("the PostgreSQL store is not open")
        return self._pool

    async def open(self) -> None:
        try:  # one direct attempt first: a clear error now, not a pool timeout later
            probe = await AsyncConnection.connect(self._url, connect_timeout=10)
        except psycopg.Error as exc:
            raise BackendUnavailable(f"cannot connect to {self.description}: {exc}") from None
        await probe.close()
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            self._url, min_size=1, max_size=self._pool_max, open=False
        )
        await pool.open(wait=True, timeout=30)
        self._pool = pool
        async with pool.connection() as db:
            await db.set_autocommit(True)
            try:
                await migrate(db)
            finally:
                await db.set_autocommit(False)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    # --- reads ---

    async def get(self, account: str | None, object_id: str) -> ObjectRecord:
        async with self.pool.connection() as db:
            record = await _fetch(db, object_id, account)
        if record is None:
            raise NotFound(f"object {object_id} not found")
        return record

    async def list_objects(self, account: str | None, query: ListQuery, now_ms: int) -> ListResult:
        where = ["is_public" if account is None else "account = %(account)s"]
        params: dict[str, Any] = {"account": account, "now": now_ms}
        if query.state is None:
            where.append(LIVE)
        elif query.state == DELETED:
            where.append(f"(state = 'DELETED' OR {EXPIRED})")
        else:
            where.append(f"state = %(state)s AND NOT {EXPIRED}")
            params["state"] = query.state
        if query.name:
            where.append("name_fold LIKE %(name)s")
            params["name"] = _contains(query.name.casefold())
        if query.content_type:
            where.append("content_type = %(content_type)s")
            params["content_type"] = query.content_type
        if query.search:
            where.append("(strpos(id, %(search_id)s) > 0 OR name_fold LIKE %(search)s)")
            params["search_id"] = query.search
            params["search"] = _contains(query.search.casefold())
        async with self.pool.connection() as db:
            await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            total = None
            if query.include_total_count:
                cursor = await db.execute(
                    f"SELECT count(*) FROM objects WHERE {' AND '.join(where)}".encode(), params
                )
                row = await cursor.fetchone()
                total = int(row[0]) if row else 0
            if query.starting_after is not None:
                cursor = await db.execute(
                    "SELECT create_time_ms, id FROM objects WHERE id = %(after)s"
                    + (" AND is_public" if account is None else " AND account = %(account)s"),
                    {"after": query.starting_after, "account": account},
                )
                found = await cursor.fetchone()
                if found is None:
                    raise InvalidArgument(
                        f"starting_after: no object {query.starting_after} to continue after"
                    )
                where.append("(create_time_ms, id) < (%(cursor_time)s, %(cursor_id)s)")
                params["cursor_time"], params["cursor_id"] = found
            params["fetch"] = max(query.limit, 0) + 1
            cursor = await db.execute(
                f"SELECT {COLUMNS} FROM objects WHERE {' AND '.join(where)}"
                " ORDER BY create_time_ms DESC, id DESC LIMIT %(fetch)s".encode(),
                params,
            )
            rows = await cursor.fetchall()
        records = [ObjectRecord._make(row) for row in rows[: query.limit]]
        return ListResult(records, has_more=len(rows) > query.limit, total_count=total)

    async def metadata_keys(self, account: str, now_ms: int) -> list[str]:
        async with self.pool.connection() as db:
            cursor = await db.execute(
                'SELECT DISTINCT k COLLATE "C" AS k FROM objects, jsonb_object_keys(metadata) k'
                f" WHERE account = %(account)s AND metadata <> '{{}}' AND {LIVE} ORDER BY 1",
                {"account": account, "now": now_ms},
            )
            return [str(row[0]) for row in await cursor.fetchall()]

    async def metadata_values(self, account: str, key: str, now_ms: int) -> list[str]:
        async with self.pool.connection() as db:
            # `metadata ? key` is answered by the GIN index.
            cursor = await db.execute(
                'SELECT DISTINCT (metadata ->> %(key)s) COLLATE "C" FROM objects'
                f" WHERE account = %(account)s AND metadata ? %(key)s AND {LIVE} ORDER BY 1",
                {"account": account, "key": key, "now": now_ms},
            )
            return [str(row[0]) for row in await cursor.fetchall()]

    # --- writes ---

    async def create(
        self,
        account: str,
        *,
        name: str,
        content_type: str,
        metadata: dict[str, str] | None,
        ttl_ms: int | None,
        is_public: bool,
        now_ms: int,
        request_id: str | None = None,
    ) -> ObjectRecord:
        new = NewObject(
            id=new_object_id(),
            account=account,
            name=name,
            content_type=content_type,
            create_time_ms=now_ms,
            state=UPLOADING,
            delete_after_time_ms=None if ttl_ms is None else now_ms + ttl_ms,
            metadata=metadata,
            is_public=is_public,
        )
        async with self.pool.connection() as db:
            if request_id:
                # The unique key decides between concurrent retries, on any replica: the loser
                # waits for the winner's commit, then returns the winner's object.
                cursor = await db.execute(
                    "INSERT INTO requests VALUES (%s, 'create', %s, %s, %s)"
                    " ON CONFLICT DO NOTHING RETURNING object_id",
                    (account, request_id, new.id, now_ms),
                )
                if await cursor.fetchone() is None:
                    first = await _replayed(db, account, "create", request_id)
                    record = await _fetch(db, first or "", account)
                    if record is not None:
                        return record
            await self._insert(db, [new])
            record = await _fetch(db, new.id, account)
        assert record is not None
        return record

    @staticmethod
    async def _insert(db: Conn, objects: list[NewObject]) -> None:
        async with db.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO objects (id, account, name, name_fold, state, content_type,"
                " size_bytes, create_time_ms, delete_after_time_ms, metadata, is_public)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        o.id,
                        o.account,
                        o.name,
                        o.name.casefold(),
                        o.state,
                        o.content_type,
                        o.size_bytes,
                        o.create_time_ms,
                        o.delete_after_time_ms,
                        _encode(o.metadata),
                        o.is_public,
                    )
                    for o in objects
                ],
            )

    async def insert_objects(self, objects: list[NewObject]) -> list[str]:
        """Seed complete rows (tests, benchmarks) in one transaction."""
        filled = [o if o.id else _with_id(o) for o in objects]
        async with self.pool.connection() as db:
            await self._insert(db, filled)
        return [o.id for o in filled]

    async def complete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None, measure: Measure
    ) -> ObjectRecord:
        async with self.pool.connection() as db:
            if await _replayed(db, account, "complete", request_id) == object_id:
                replay = await _fetch(db, object_id, account)
                if replay is not None:
                    return replay
            record = await _fetch(db, object_id, account, lock=True)
            if record is None:
                raise NotFound(f"object {object_id} not found")
            state = record.effective_state(now_ms)
            if state != UPLOADING:
                raise Conflict(
                    f"object {object_id} is {state}; only an UPLOADING object can be completed"
                )
            size = measure()
            await db.execute(
                "UPDATE objects SET state = 'READ_ONLY', size_bytes = %s WHERE id = %s",
                (size, object_id),
            )
            if request_id:
                await db.execute(REMEMBER, (account, "complete", request_id, object_id, now_ms))
        return record._replace(state=READ_ONLY, size_bytes=size)

    async def delete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None
    ) -> ObjectRecord:
        async with self.pool.connection() as db:
            record = await _fetch(db, object_id, account, lock=True)
            if record is None:
                raise NotFound(f"object {object_id} not found")
            if record.state != DELETED:
                await db.execute(
                    "WITH gone AS (UPDATE objects SET state = 'DELETED' WHERE id = %(id)s"
                    f" RETURNING id) {QUEUE}",
                    {"id": object_id, "now": now_ms},
                )
            if request_id:
                await db.execute(REMEMBER, (account, "delete", request_id, object_id, now_ms))
        return record._replace(state=DELETED)

    async def while_uploading(self, object_id: str, action: Callable[[], T]) -> T:
        async with self.pool.connection() as db:
            record = await _fetch(db, object_id, None, lock=True)
            if record is None:
                raise NotFound(f"object {object_id} not found")
            state = record.effective_state(_now_ms())
            if state != UPLOADING:
                raise Conflict(
                    f"object {object_id} is {state}, not UPLOADING: its content is final"
                )
            return await asyncio.to_thread(action)

    # --- sweeps: every replica runs them; SKIP LOCKED shares the work out ---

    async def _sweep(self, due: str, params: dict[str, Any]) -> int:
        async with self.pool.connection() as db:
            cursor = await db.execute(
                f"WITH due AS ({due} LIMIT %(batch)s FOR UPDATE SKIP LOCKED),"
                " gone AS (UPDATE objects o SET state = 'DELETED' FROM due WHERE o.id = due.id"
                f" RETURNING o.id), queued AS ({QUEUE}) SELECT count(*) FROM gone".encode(),
                params,
            )
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def reap(self, now_ms: int, batch: int) -> int:
        count = await self._sweep(
            "SELECT id FROM objects WHERE delete_after_time_ms IS NOT NULL"
            " AND state <> 'DELETED' AND delete_after_time_ms <= %(now)s",
            {"now": now_ms, "batch": batch},
        )
        async with self.pool.connection() as db:
            await db.execute(
                "DELETE FROM requests WHERE time_ms < %s", (now_ms - REQUEST_ID_RETENTION_MS,)
            )
        return count

    async def collect_stale_uploads(self, older_than_ms: int, now_ms: int, batch: int) -> int:
        return await self._sweep(
            "SELECT id FROM objects WHERE state = 'UPLOADING' AND create_time_ms < %(before)s",
            {"now": now_ms, "batch": batch, "before": older_than_ms},
        )

    async def claim_purges(self, now_ms: int, batch: int) -> list[str]:
        async with self.pool.connection() as db:
            cursor = await db.execute(
                "WITH c AS (SELECT object_id FROM purges WHERE next_try_ms <= %(now)s"
                " ORDER BY next_try_ms LIMIT %(batch)s FOR UPDATE SKIP LOCKED)"
                " UPDATE purges p SET attempts = p.attempts + 1, next_try_ms = %(now)s"
                " + least(%(lease)s * power(2, least(p.attempts, 10)), %(cap)s)::bigint"
                " FROM c WHERE p.object_id = c.object_id RETURNING p.object_id",
                {
                    "now": now_ms,
                    "batch": batch,
                    "lease": PURGE_LEASE_MS,
                    "cap": MAX_PURGE_BACKOFF_MS,
                },
            )
            return [str(row[0]) for row in await cursor.fetchall()]

    async def purged(self, object_ids: list[str]) -> None:
        if object_ids:
            async with self.pool.connection() as db:
                await db.execute("DELETE FROM purges WHERE object_id = ANY(%s)", (object_ids,))

    async def recover(self) -> str | None:
        return None  # every change is one transaction: a crash leaves nothing to repair


def _with_id(obj: NewObject) -> NewObject:
    from dataclasses import replace

    return replace(obj, id=new_object_id())


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)
