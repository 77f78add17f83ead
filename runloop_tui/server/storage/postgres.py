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
from collections.abc import AsyncIterator, Callable
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from runloop_tui.server.records import (
    DELETED,
    INSERT_OBJECT,
    READ_ONLY,
    REQUEST_ID_RETENTION_MS,
    CreateRequest,
    ListQuery,
    ListResult,
    NewObject,
    ObjectRecord,
    page_json,
)
from runloop_tui.server.storage import listing
from runloop_tui.server.storage.base import BackendUnavailable, Measure, T, found, uploading
from runloop_tui.server.storage.pagecache import (
    DEFAULT_CACHE_BYTES,
    UNTOUCHED,
    ListCache,
    scope_of,
)
from runloop_tui.server.storage.pg_generations import GENERATIONS_MIGRATION, tagged_columns
from runloop_tui.server.storage.sqlite import MAX_PURGE_BACKOFF_MS, PURGE_LEASE_MS

# Any constant shared by every replica: the key of the migration lock.
MIGRATION_LOCK = 0x52554E4C  # "RUNL"
POOL_MAX = 16
# Pages up to this many objects are encoded on the event loop (well under a millisecond).
INLINE_PAGE = 200

# Append only: a released migration never changes.
# A migration is one script of ";"-separated statements, or a tuple of statements (for
# bodies that contain ";").
MIGRATIONS: list[tuple[int, str | tuple[str, ...]]] = [
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
    # total_count without counting rows (storage/listing.py). Statement-level triggers add
    # each statement's changes per key in key order, so concurrent writers take the counter
    # rows' locks in one order and cannot deadlock on them.
    (
        4,
        (
            "CREATE TABLE object_counts (account text NOT NULL, is_public boolean NOT NULL,"
            " state text NOT NULL, n bigint NOT NULL, PRIMARY KEY (account, is_public, state))",
            """
CREATE FUNCTION objects_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO object_counts SELECT account, is_public, state, count(*) FROM new_rows
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (account, is_public, state) DO UPDATE SET n = object_counts.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO object_counts SELECT account, is_public, state, -count(*) FROM old_rows
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (account, is_public, state) DO UPDATE SET n = object_counts.n + excluded.n;
    ELSE
        INSERT INTO object_counts SELECT account, is_public, state, sum(d) FROM (
                SELECT account, is_public, state, 1 AS d FROM new_rows
                UNION ALL SELECT account, is_public, state, -1 FROM old_rows) c
            GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (account, is_public, state) DO UPDATE SET n = object_counts.n + excluded.n;
    END IF;
    RETURN NULL;
END $$""",
            "CREATE TRIGGER objects_counted_insert AFTER INSERT ON objects"
            " REFERENCING NEW TABLE AS new_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION objects_counted()",
            "CREATE TRIGGER objects_counted_delete AFTER DELETE ON objects"
            " REFERENCING OLD TABLE AS old_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION objects_counted()",
            "CREATE TRIGGER objects_counted_update AFTER UPDATE ON objects"
            " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION objects_counted()",
            "INSERT INTO object_counts SELECT account, is_public, state, count(*) FROM objects"
            " GROUP BY 1, 2, 3",
        ),
    ),
    # The list-page cache's generations and expiry indexes (storage/pg_generations.py).
    (5, GENERATIONS_MIGRATION),
]
OPTIONAL = "OPTIONAL "

COLUMNS = (
    "id, name, state, content_type, size_bytes, create_time_ms, delete_after_time_ms,"
    " metadata::text"
)
FIELDS = len(ObjectRecord._fields)
LIVE = "state <> 'DELETED' AND (delete_after_time_ms IS NULL OR delete_after_time_ms > %(now)s)"
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
            if isinstance(script, tuple):
                for statement in script:
                    await db.execute(statement.encode())
            elif script.startswith(OPTIONAL):
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
    def __init__(
        self, url: str, *, pool_max: int = POOL_MAX, cache_bytes: int = DEFAULT_CACHE_BYTES
    ) -> None:
        self._url = url
        self._pool_max = pool_max
        self._pool: AsyncConnectionPool[Conn] | None = None
        # List pages, checked against their scope's generation on every hit (pagecache.py).
        self.list_cache = (
            ListCache(cache_bytes, self._read_generations, unavailable=psycopg.Error)
            if cache_bytes > 0
            else None
        )
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
        # Autocommit: a read is one round trip (no BEGIN/COMMIT); writes open a transaction.
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            self._url,
            min_size=1,
            max_size=self._pool_max,
            open=False,
            kwargs={"autocommit": True},
        )
        await pool.open(wait=True, timeout=30)
        self._pool = pool
        async with pool.connection() as db:
            await migrate(db)

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        async with self.pool.connection() as db, db.transaction():
            yield db

    async def close(self) -> None:
        if self.list_cache is not None:
            self.list_cache.reset()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    # --- reads ---

    async def get(self, account: str | None, object_id: str) -> ObjectRecord:
        async with self.pool.connection() as db:
            return found(await _fetch(db, object_id, account), object_id)

    async def readable(self, account: str, object_id: str) -> ObjectRecord:
        async with self.pool.connection() as db:
            cursor = await db.execute(
                f"SELECT {COLUMNS} FROM objects WHERE id = %s AND (account = %s OR is_public)",
                (object_id, account),
            )
            return found(_record(await cursor.fetchone()), object_id)

    async def list_objects(self, account: str | None, query: ListQuery, now_ms: int) -> ListResult:
        statement = listing.list_statement(listing.POSTGRES, COLUMNS, account, query, now_ms)
        return (await self._list(account, query, now_ms, statement))[0]

    async def _list(
        self, account: str | None, query: ListQuery, now_ms: int, statement: listing.ListStatement
    ) -> tuple[ListResult, tuple[int, int | None] | None]:
        """The page, and when its statement had tagged_columns and found rows, the scope's
        generation and next TTL read with it."""
        # One statement, one round trip (autocommit): it is its own snapshot.
        async with self.pool.connection() as db:
            cursor = await db.execute(statement.sql.encode(), statement.params)
            rows = await cursor.fetchall()
            if not rows and query.starting_after is not None:
                check = listing.cursor_statement(listing.POSTGRES, account)
                if await (await db.execute(check, statement.params)).fetchone() is None:
                    raise listing.no_cursor(query.starting_after)
            kept, has_more, total, needs_total = listing.take(rows, statement, query)
            if needs_total:
                sql = listing.total_statement(listing.POSTGRES, account, query, now_ms)
                row = await (await db.execute(sql.encode(), statement.params)).fetchone()
                total = int(row[0]) if row else 0
        tag = None
        if rows and len(rows[0]) > FIELDS + statement.counted:
            generation, valid_until = rows[0][FIELDS], rows[0][FIELDS + 1]
            tag = (UNTOUCHED if generation is None else int(generation), valid_until)
        records = [ObjectRecord._make(row[:FIELDS]) for row in kept]
        return ListResult(records, has_more=has_more, total_count=total), tag

    async def list_page(self, account: str | None, query: ListQuery, now_ms: int) -> bytes:
        if self.list_cache is None:
            return await self._page_json(await self.list_objects(account, query, now_ms), now_ms)

        async def read() -> tuple[bytes, tuple[int, int | None] | None]:
            columns = tagged_columns(COLUMNS, account)
            statement = listing.list_statement(listing.POSTGRES, columns, account, query, now_ms)
            statement.params["scope"] = scope_of(account)
            result, tag = await self._list(account, query, now_ms, statement)
            return await self._page_json(result, now_ms), tag

        return await self.list_cache.page(account, query, now_ms, read)

    async def _page_json(self, result: ListResult, now_ms: int) -> bytes:
        args = (result.records, result.has_more, result.total_count, now_ms)
        if len(result.records) <= INLINE_PAGE:
            return page_json(*args)
        return await asyncio.to_thread(page_json, *args)  # a 5000-object page is real work

    async def _read_generations(self, scopes: list[str]) -> dict[str, int]:
        async with self.pool.connection() as db:
            cursor = await db.execute(
                "SELECT scope, gen FROM list_generations WHERE scope = ANY(%s)", (scopes,)
            )
            return {str(scope): int(gen) for scope, gen in await cursor.fetchall()}

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

    async def create(self, request: CreateRequest) -> ObjectRecord:
        account, request_id, new = request.account, request.request_id, request.new_object()
        async with self._transaction() as db:
            if request_id:
                # The unique key decides between concurrent retries, on any replica: the loser
                # waits for the winner's commit, then returns the winner's object.
                cursor = await db.execute(
                    "INSERT INTO requests VALUES (%s, 'create', %s, %s, %s)"
                    " ON CONFLICT DO NOTHING RETURNING object_id",
                    (account, request_id, new.id, request.now_ms),
                )
                if await cursor.fetchone() is None:
                    first = await _replayed(db, account, "create", request_id)
                    record = await _fetch(db, first or "", account)
                    if record is not None:
                        return record
            async with db.cursor() as cursor:
                await cursor.execute(INSERT_OBJECT.format("%s"), new.row())
            record = await _fetch(db, new.id, account)
        assert record is not None
        return record

    async def insert_objects(self, objects: list[NewObject]) -> list[str]:
        """Seed complete rows (tests, benchmarks) in one transaction."""
        filled = [o.with_id() for o in objects]
        async with self._transaction() as db, db.cursor() as cursor:
            await cursor.executemany(INSERT_OBJECT.format("%s"), [o.row() for o in filled])
        return [o.id for o in filled]

    async def complete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None, measure: Measure
    ) -> ObjectRecord:
        async with self._transaction() as db:
            if await _replayed(db, account, "complete", request_id) == object_id:
                replay = await _fetch(db, object_id, account)
                if replay is not None:
                    return replay
            record = uploading(
                await _fetch(db, object_id, account, lock=True), object_id, now_ms, completing=True
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
        async with self._transaction() as db:
            record = found(await _fetch(db, object_id, account, lock=True), object_id)
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
        async with self._transaction() as db:
            uploading(await _fetch(db, object_id, None, lock=True), object_id, _now_ms())
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


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)
