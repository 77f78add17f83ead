"""What every handler needs: the two stores, the known accounts and the URL settings."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from starlette.requests import Request

from runloop_tui.server.storage.base import ContentStore, MetadataStore


@dataclass
class ServerContext:
    metadata: MetadataStore
    content: ContentStore
    accounts: frozenset[str]
    reaper_interval_s: float
    # The base URL clients use to reach this server (presigned URLs in directory mode).
    public_url: str | None = None
    # UPLOADING objects older than this many ms are garbage-collected; None: never.
    stale_upload_ms: int | None = None
    # Set when content was queued for removal, so the purger runs now, not at its next tick.
    purge_wake: asyncio.Event = field(default_factory=asyncio.Event)


def context_of(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


def now_ms() -> int:
    return int(time.time() * 1000)
