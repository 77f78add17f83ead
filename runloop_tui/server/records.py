"""Store vocabulary: states, the SQLite schema, and the row types passed around."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from runloop_tui.server.ids import new_object_id

UPLOADING, READ_ONLY, DELETED, ERROR = "UPLOADING", "READ_ONLY", "DELETED", "ERROR"
STATES = (UPLOADING, READ_ONLY, DELETED, ERROR)
CONTENT_TYPES = ("unspecified", "text", "binary", "gzip", "tar", "tgz")
REQUEST_ID_RETENTION_MS = 24 * 3600 * 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    id TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    state TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER,
    create_time_ms INTEGER NOT NULL,
    delete_after_time_ms INTEGER,
    metadata TEXT NOT NULL DEFAULT '{}',
    is_public INTEGER NOT NULL DEFAULT 0
);
DROP INDEX IF EXISTS ix_objects_account_time;
-- Newest-first listing per account. It also carries every filtered column, so
-- filtering and counting read only the index: table rows are fetched for a page's
-- matches alone, never for the rows a filter skips.
CREATE INDEX IF NOT EXISTS ix_objects_account_list
    ON objects (account, create_time_ms DESC, id DESC, state, delete_after_time_ms,
                content_type, name_fold);
DROP INDEX IF EXISTS ix_objects_public_time;
CREATE INDEX IF NOT EXISTS ix_objects_public_list
    ON objects (create_time_ms DESC, id DESC, state, delete_after_time_ms, content_type,
                name_fold) WHERE is_public = 1;
CREATE INDEX IF NOT EXISTS ix_objects_expiry
    ON objects (delete_after_time_ms) WHERE delete_after_time_ms IS NOT NULL AND state != 'DELETED';
CREATE TABLE IF NOT EXISTS object_metadata (
    object_id TEXT NOT NULL,
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (object_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_metadata_account_key ON object_metadata (account, key, value);
CREATE TABLE IF NOT EXISTS requests (
    account TEXT NOT NULL,
    op TEXT NOT NULL,
    request_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    PRIMARY KEY (account, op, request_id)
) WITHOUT ROWID;
-- Content to remove from a remote content store (S3), unused with the local directory.
CREATE TABLE IF NOT EXISTS purges (
    object_id TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_objects_uploading
    ON objects (create_time_ms) WHERE state = 'UPLOADING';
"""

# total_count without counting rows (storage/listing.py): kept exact by triggers, in the
# transaction of every row change. Filled from the rows when the table is first created.
COUNTS_TABLE = """
CREATE TABLE object_counts (
    account TEXT NOT NULL,
    is_public INTEGER NOT NULL,
    state TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (account, is_public, state)
) WITHOUT ROWID
"""
COUNTS_FILL = (
    "INSERT INTO object_counts SELECT account, is_public, state, count(*) FROM objects"
    " GROUP BY account, is_public, state"
)
_COUNT_UP = (
    "INSERT INTO object_counts VALUES (new.account, new.is_public, new.state, 1)"
    " ON CONFLICT (account, is_public, state) DO UPDATE SET n = n + 1;"
)
_COUNT_DOWN = (
    "UPDATE object_counts SET n = n - 1"
    " WHERE account = old.account AND is_public = old.is_public AND state = old.state;"
)
COUNT_TRIGGERS = (
    f"CREATE TRIGGER objects_counted_insert AFTER INSERT ON objects BEGIN {_COUNT_UP} END",
    f"CREATE TRIGGER objects_counted_delete AFTER DELETE ON objects BEGIN {_COUNT_DOWN} END",
    "CREATE TRIGGER objects_counted_update AFTER UPDATE OF account, is_public, state ON objects"
    " WHEN old.account IS NOT new.account OR old.is_public IS NOT new.is_public"
    f" OR old.state IS NOT new.state BEGIN {_COUNT_DOWN} {_COUNT_UP} END",
)

COLUMNS = (
    "id, name, state, content_type, size_bytes, create_time_ms, delete_after_time_ms, metadata"
)
LIVE_JOINED_SQL = (
    "o.state != 'DELETED' AND (o.delete_after_time_ms IS NULL OR o.delete_after_time_ms > :now)"
)


class ObjectRecord(NamedTuple):
    """One row, in COLUMNS order; `view()` gives the spec's ObjectView."""

    id: str
    name: str
    state: str
    content_type: str
    size_bytes: int | None
    create_time_ms: int
    delete_after_time_ms: int | None
    metadata: str

    def effective_state(self, now_ms: int) -> str:
        """An object past its TTL is DELETED at once, even before the reaper runs."""
        dat = self.delete_after_time_ms
        if self.state != DELETED and dat is not None and dat <= now_ms:
            return DELETED
        return self.state

    def view(self, now_ms: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.effective_state(now_ms),
            "size_bytes": self.size_bytes,
            "content_type": self.content_type,
            "create_time_ms": self.create_time_ms,
            "delete_after_time_ms": self.delete_after_time_ms,
            "metadata": json.loads(self.metadata),
        }

    def json(self, now_ms: int) -> str:
        """``view()`` as JSON text, built without decoding the stored metadata.

        Each row's metadata is already JSON (written by ``json.dumps``, or jsonb's text), the
        id is ours, and state and content type are fixed words: only the name needs encoding.
        A page of these is a join, several times cheaper than encoding the views.
        """
        size = "null" if self.size_bytes is None else str(int(self.size_bytes))
        dat = self.delete_after_time_ms
        return (
            f'{{"id":"{self.id}","name":{_dumps(self.name)},'
            f'"state":"{self.effective_state(now_ms)}","size_bytes":{size},'
            f'"content_type":"{self.content_type}","create_time_ms":{int(self.create_time_ms)},'
            f'"delete_after_time_ms":{"null" if dat is None else int(dat)},'
            f'"metadata":{self.metadata}}}'
        )


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def page_body(objects: list[str], has_more: bool, total: int | None) -> bytes:
    """A list response's body from its objects' JSON texts."""
    count = "null" if total is None else str(int(total))
    more = "true" if has_more else "false"
    return f'{{"objects":[{",".join(objects)}],"has_more":{more},"total_count":{count}}}'.encode()


def page_json(records: list[ObjectRecord], has_more: bool, total: int | None, now_ms: int) -> bytes:
    """A list response's body."""
    return page_body([record.json(now_ms) for record in records], has_more, total)


@dataclass(frozen=True, slots=True)
class ListQuery:
    limit: int = 20
    starting_after: str | None = None
    name: str | None = None
    content_type: str | None = None
    state: str | None = None
    search: str | None = None
    include_total_count: bool = True


@dataclass(frozen=True, slots=True)
class ListResult:
    records: list[ObjectRecord]
    has_more: bool
    total_count: int | None


@dataclass(frozen=True, slots=True)
class NewObject:
    """A fully specified row, for seeding (demo data, benchmarks)."""

    account: str
    name: str
    content_type: str
    create_time_ms: int
    state: str = READ_ONLY
    size_bytes: int | None = None
    delete_after_time_ms: int | None = None
    metadata: dict[str, str] | None = None
    is_public: bool = False
    id: str = ""

    def with_id(self) -> NewObject:
        """This row with a fresh id if it has none."""
        return self if self.id else replace(self, id=new_object_id())

    def row(self, encoded_metadata: str | None = None) -> tuple[Any, ...]:
        """The values for INSERT_OBJECT, in its column order (metadata encoded unless given)."""
        return (
            self.id,
            self.account,
            self.name,
            self.name.casefold(),
            self.state,
            self.content_type,
            self.size_bytes,
            self.create_time_ms,
            self.delete_after_time_ms,
            metadata_json(self.metadata) if encoded_metadata is None else encoded_metadata,
            self.is_public,
        )


# {} is the engine's placeholder: "?" (SQLite) or "%s" (PostgreSQL).
INSERT_OBJECT = (
    "INSERT INTO objects (id, account, name, name_fold, state, content_type, size_bytes,"
    " create_time_ms, delete_after_time_ms, metadata, is_public)"
    " VALUES ({0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0})"
)


def metadata_json(metadata: dict[str, str] | None) -> str:
    return _dumps(metadata or {})


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRequest:
    """A validated create, as the API layer hands it to every metadata store."""

    account: str
    name: str
    content_type: str
    now_ms: int
    metadata: dict[str, str] | None = None
    ttl_ms: int | None = None
    is_public: bool = False
    request_id: str | None = None  # x-request-id: a retry returns the first object

    def new_object(self) -> NewObject:
        """The UPLOADING row to insert, with a fresh id."""
        ttl = self.ttl_ms
        return NewObject(
            account=self.account,
            name=self.name,
            content_type=self.content_type,
            create_time_ms=self.now_ms,
            state=UPLOADING,
            delete_after_time_ms=None if ttl is None else self.now_ms + ttl,
            metadata=self.metadata,
            is_public=self.is_public,
        ).with_id()
