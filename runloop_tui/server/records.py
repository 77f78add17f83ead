"""Store vocabulary: states, the SQLite schema, and the row types passed around."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

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

COLUMNS = (
    "id, name, state, content_type, size_bytes, create_time_ms, delete_after_time_ms, metadata"
)
LIVE_SQL = "state != 'DELETED' AND (delete_after_time_ms IS NULL OR delete_after_time_ms > :now)"
LIVE_JOINED_SQL = (
    "o.state != 'DELETED' AND (o.delete_after_time_ms IS NULL OR o.delete_after_time_ms > :now)"
)
EXPIRED_SQL = "(delete_after_time_ms IS NOT NULL AND delete_after_time_ms <= :now)"


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
