"""The two interfaces the API layer is written against.

* ``MetadataStore``: the rows. Every state change is one transaction, conditional on the state
  it expects, so several replicas can share one store.
* ``ContentStore``: the bytes. It hands out presigned URLs; content never passes through the
  API server unless the store is the local directory (whose URLs point back at the server).

Objects whose content must go (deleted, expired, abandoned uploads) are queued in the metadata
store in the same transaction that marks them DELETED; a purger on every replica claims them
in batches (a lease, so a dead replica's claims come back) and removes the content with retries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from runloop_tui.server.errors import Conflict, NotFound
from runloop_tui.server.records import UPLOADING, CreateRequest, ListQuery, ListResult, ObjectRecord

T = TypeVar("T")


class BackendUnavailable(RuntimeError):
    """A store cannot be reached or used at start-up; the message says which and why."""


# (no arguments) -> the size of the uploaded content, read where the store decides.
Measure = Callable[[], int]


# The answers every metadata store gives alike.


def found(record: ObjectRecord | None, object_id: str) -> ObjectRecord:
    """The record a store looked up, or the 404 every backend answers alike."""
    if record is None:
        raise NotFound(f"object {object_id} not found")
    return record


def uploading(
    record: ObjectRecord | None, object_id: str, now_ms: int, *, completing: bool = False
) -> ObjectRecord:
    """The record, if it may still take content (or be completed); a 404 or 409 otherwise."""
    record = found(record, object_id)
    state = record.effective_state(now_ms)
    if state == UPLOADING:
        return record
    if completing:
        raise Conflict(f"object {object_id} is {state}; only an UPLOADING object can be completed")
    raise Conflict(f"object {object_id} is {state}, not UPLOADING: its content is final")


class MetadataStore(Protocol):
    """Object rows, request ids and the purge queue."""

    description: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def get(self, account: str | None, object_id: str) -> ObjectRecord: ...

    async def readable(self, account: str, object_id: str) -> ObjectRecord:
        """The object if ``account`` owns it or it is public (anyone may read and download a
        public object; only its owner may complete or delete it); NotFound otherwise."""
        ...

    async def list_objects(
        self, account: str | None, query: ListQuery, now_ms: int
    ) -> ListResult: ...

    async def list_page(self, account: str | None, query: ListQuery, now_ms: int) -> bytes:
        """``list_objects`` as the response body (``records.page_json``'s bytes)."""
        ...

    async def metadata_keys(self, account: str, now_ms: int) -> list[str]: ...

    async def metadata_values(self, account: str, key: str, now_ms: int) -> list[str]: ...

    async def create(self, request: CreateRequest) -> ObjectRecord:
        """A new UPLOADING object; a retried ``request.request_id`` returns the first one."""
        ...

    async def complete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None, measure: Measure
    ) -> ObjectRecord:
        """UPLOADING -> READ_ONLY with ``measure()``'s size, read inside the transaction."""
        ...

    async def delete(
        self, account: str, object_id: str, now_ms: int, request_id: str | None
    ) -> ObjectRecord:
        """Any state -> DELETED, and the content queued for removal (if the store queues)."""
        ...

    async def while_uploading(self, object_id: str, action: Callable[[], T]) -> T:
        """Run ``action`` (blocking) while holding the row, only if it is still UPLOADING."""
        ...

    async def reap(self, now_ms: int, batch: int) -> int:
        """Expired objects -> DELETED (each once, whichever replica gets it); how many."""
        ...

    async def collect_stale_uploads(self, older_than_ms: int, now_ms: int, batch: int) -> int:
        """UPLOADING objects created before ``older_than_ms`` -> DELETED; how many."""
        ...

    async def claim_purges(self, now_ms: int, batch: int) -> list[str]:
        """Up to ``batch`` queued object ids whose content should go now, leased to the caller."""
        ...

    async def purged(self, object_ids: list[str]) -> None: ...

    async def recover(self) -> str | None:
        """Start-up repair after a crash; a summary when something was repaired."""
        ...


class ContentStore(Protocol):
    """Object bytes, reached through presigned URLs."""

    description: str
    # True when the URLs point at this server (so their host comes from --public-url/Host).
    served_here: bool

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def upload_target(
        self, base_url: str, object_id: str, expires_in: int
    ) -> tuple[str, dict[str, str] | None]:
        """A presigned PUT URL, and the headers the client must send with it (if any)."""
        ...

    async def download_url(self, base_url: str, object_id: str, expires_in: int) -> str: ...

    async def measure(self, object_id: str) -> Measure:
        """How ``complete`` reads the uploaded size (raises a clean error if nothing is there)."""
        ...

    async def remove(self, object_ids: list[str]) -> None:
        """Remove content; missing content is fine. Raises when the store cannot be reached."""
        ...
