"""The async Objects API client: one class over one shared httpx.AsyncClient.

STUB written by the lead to fix the interface; the client work fills in every body.
Signatures here are the contract the TUI codes against: change them only with care.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from runloop_tui.api.models import (
    ContentType,
    MetadataValues,
    ObjectListView,
    ObjectState,
    ObjectView,
)

# Called with (bytes_done, bytes_total or None when unknown).
ProgressCallback = Callable[[int, int | None], None]

DEFAULT_BASE_URL = "https://api.runloop.ai"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Mirrors Runloop's official Python SDK defaults."""

    max_retries: int = 5
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 5.0
    max_backoff_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The filters the server understands on list and list_public."""

    name: str | None = None
    content_type: ContentType | None = None
    state: ObjectState | None = None
    search: str | None = None


class CancelToken:
    """Set by the UI to stop a transfer at the next chunk boundary."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ObjectsClient:
    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> ObjectsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- operations from the spec ---
    async def list_objects(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        filters: ListFilters | None = None,
        include_total_count: bool | None = None,
        public: bool = False,
    ) -> ObjectListView:
        raise NotImplementedError

    def iter_pages(
        self,
        *,
        page_size: int = 1000,
        first_page_size: int | None = None,
        filters: ListFilters | None = None,
        public: bool = False,
    ) -> AsyncIterator[ObjectListView]:
        """Every page in order; only the first request asks for total_count."""
        raise NotImplementedError

    async def get_object(self, object_id: str) -> ObjectView:
        raise NotImplementedError

    async def create_object(
        self,
        name: str,
        content_type: ContentType = ContentType.UNSPECIFIED,
        *,
        metadata: dict[str, str] | None = None,
        ttl_ms: int | None = None,
        is_public: bool | None = None,
    ) -> ObjectView:
        raise NotImplementedError

    async def complete_object(self, object_id: str) -> ObjectView:
        raise NotImplementedError

    async def delete_object(self, object_id: str) -> ObjectView:
        raise NotImplementedError

    async def download_url(self, object_id: str, duration_seconds: int | None = None) -> str:
        raise NotImplementedError

    async def metadata_keys(self) -> list[str]:
        raise NotImplementedError

    async def metadata_values(self, key: str) -> MetadataValues:
        raise NotImplementedError

    # --- transfers ---
    async def upload_path(
        self,
        path: Path,
        *,
        name: str | None = None,
        content_type: ContentType | None = None,
        metadata: dict[str, str] | None = None,
        ttl_ms: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        on_created: Callable[[ObjectView], None] | None = None,
    ) -> ObjectView:
        """create -> PUT -> complete; a directory streams as tgz. On failure or cancel the
        half-made object is deleted before the error is raised."""
        raise NotImplementedError

    async def download_to(
        self,
        object_id: str,
        dest: Path,
        *,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Path:
        raise NotImplementedError

    async def read_head(self, object_id: str, max_bytes: int = 65536) -> bytes:
        """The first max_bytes of the content, by a ranged GET on a download URL."""
        raise NotImplementedError
